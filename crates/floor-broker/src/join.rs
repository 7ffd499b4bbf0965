//! The join code: 8 characters a person can read off the projector and
//! type at `/join`, which open the room's participant page.
//!
//! A room's code is derived from its participant token (SHA-256 of the
//! token, written in [`ALPHABET`]), so it rotates with that token: a
//! rotation of the participant role gives a new code and the old one opens
//! nothing. To open the page, the broker must hand out the participant
//! token itself, so the store keeps it whole beside the hashes (the
//! `room_tokens` row, or the key of the shared store's room record, named
//! [`PARTICIPANT_TOKEN`]); every other token is kept only as its hash. A
//! room created before the store kept it has no code until its participant
//! token is rotated.
//!
//! The shared store also keeps an index from code to room (the key
//! `join-code.{CODE}` of the meta bucket), so every broker resolves a code,
//! whichever broker issued it; the room's record, read again, is what
//! decides, so a stale index key opens nothing.
//!
//! Routes: `GET /` (the landing page), `GET /join` and `POST /join` (the
//! form), `GET /api/rooms/{id}/join-code` (a room's code, for its pages),
//! `GET /favicon.ico`. A code that opens nothing, whether it never existed
//! or was rotated away, is one answer, counted against the client address
//! as a failed guess (see [`crate::addresses`]).

use std::net::IpAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::RoleTokens;
use crate::broker::{Broker, RoomError};
use crate::forwarded::ClientAddr;
use crate::room::RoomLog;

/// The name under which the store keeps the participant token itself.
pub const PARTICIPANT_TOKEN: &str = "participant-token";

/// The code's characters: digits and capital letters without those read
/// alike (0 and O, 1, I and L) and without U (fewer words spelt by chance).
pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code.
pub const CODE_LEN: usize = 8;

/// The meta key of the shared store's index entry for `code`.
fn index_key(code: &str) -> String {
    format!("join-code.{code}")
}

/// The join code of a participant token: 8 characters of [`ALPHABET`]
/// (30^8, about 2^39 codes).
pub fn code_of(token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"floor join code\n")
        .chain_update(token.as_bytes())
        .finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    let mut n = u64::from_be_bytes(bytes);
    let base = ALPHABET.len() as u64;
    (0..CODE_LEN)
        .map(|_| {
            let digit = ALPHABET[(n % base) as usize];
            n /= base;
            char::from(digit)
        })
        .collect()
}

/// A typed code as stored: capitals, spaces and dashes dropped; `None`
/// when what is left is not 8 characters of [`ALPHABET`].
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let fits = code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b));
    fits.then_some(code)
}

/// A code as people read it: `ABCD-EFGH`.
pub fn pretty(code: &str) -> String {
    let (head, tail) = code.split_at(code.len() / 2);
    format!("{head}-{tail}")
}

/// Whether the participant token of `tokens` has the code `code`.
fn opens(tokens: &RoleTokens, code: &str) -> Option<String> {
    let token = tokens.participant()?;
    bool::from(code_of(token).as_bytes().ct_eq(code.as_bytes())).then(|| token.to_owned())
}

/// Records the code of `tokens`' participant token in the shared store's
/// index (nothing to do with the embedded store, whose rooms are all in
/// memory). A failure is logged: the room works, its code may not resolve
/// on other brokers until the participant token is rotated again.
pub async fn index(log: &RoomLog, room: &str, tokens: &RoleTokens) {
    let (Some(shared), Some(token)) = (log.shared(), tokens.participant()) else {
        return;
    };
    if let Err(error) = shared.put_meta(&index_key(&code_of(token)), room).await {
        tracing::warn!(room, %error, "cannot index the room's join code");
    }
}

/// The room and participant token a code opens. `Ok(None)`: none (never
/// issued, or rotated away); an error: the store could not be read.
pub async fn find(broker: &Broker, code: &str) -> Result<Option<(String, String)>, RoomError> {
    match broker.log.shared() {
        None => Ok(broker.rooms.iter().find_map(|room| {
            let tokens = room.tokens.read().ok()?;
            Some((room.id.clone(), opens(&tokens, code)?))
        })),
        Some(shared) => {
            let failed = |e: crate::shared::SharedError| {
                RoomError::Write(crate::commit::WriteError::Failed(e.to_string()))
            };
            let Some(room) = shared.meta(&index_key(code)).await.map_err(failed)? else {
                return Ok(None);
            };
            let Some((value, _)) = shared.room(&room).await.map_err(failed)? else {
                return Ok(None);
            };
            Ok(opens(&value.role_tokens(), code).map(|token| (room, token)))
        }
    }
}

/// The page around `body`, with its status. A page whose strings are all
/// keyed (`data-t`, the pages' strings tables) gives its title's key,
/// `translated`: it loads `entry.js`, which puts them in the language
/// asked for (`?lang=fr`), else the browser's; without scripts it stays
/// in English.
fn page(status: StatusCode, title: &str, translated: Option<&str>, body: &str) -> Response {
    let (title_key, script) = match translated {
        Some(key) => (
            format!(" data-t=\"{key}\""),
            "<script type=\"module\" src=\"/assets/entry.js\"></script>\n",
        ),
        None => (String::new(), ""),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title{title_key}>{title}</title>\n<link rel=\"icon\" href=\"/favicon.ico\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"/assets/floor.css\">\n{script}</head>\n<body>\n<main class=\"entry-page\">\n{body}</main>\n</body>\n</html>\n"
    );
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}

/// A problem with a typed code: its key in the pages' strings tables, and
/// its English.
type Problem = (&'static str, &'static str);

/// The code box, with `problem` above it when the last try failed; each
/// string keyed for the pages' strings tables.
fn code_form(problem: Option<Problem>) -> String {
    let problem = problem.map_or(String::new(), |(key, text)| {
        format!("<p id=\"code-error\" class=\"error\" role=\"alert\" data-t=\"{key}\">{text}</p>\n")
    });
    let described = if problem.is_empty() {
        "code-help"
    } else {
        "code-error code-help"
    };
    format!(
        "<form method=\"post\" action=\"/join\" class=\"card\">\n\
         <label for=\"code\" data-t=\"entry.code\">Join code</label>\n{problem}\
         <input id=\"code\" name=\"code\" class=\"big code\" required autocomplete=\"off\" \
         autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"40\" aria-describedby=\"{described}\">\n\
         <p id=\"code-help\" class=\"muted\" data-t=\"entry.code_help\">8 letters and digits, shown on the projector under the QR code, like ABCD-EFGH.</p>\n\
         <div class=\"row\"><button type=\"submit\" class=\"big\" data-t=\"entry.submit\">Join</button></div>\n</form>\n"
    )
}

/// `GET /join`: the code box.
pub(crate) async fn join_page() -> Response {
    join_answer(StatusCode::OK, None)
}

fn join_answer(status: StatusCode, problem: Option<Problem>) -> Response {
    let body = format!(
        "<h1 data-t=\"entry.heading\">Join a session</h1>\n\
         <p data-t=\"entry.intro\">Type the join code shown on the projector to ask to speak.</p>\n{}",
        code_form(problem)
    );
    page(status, "Join a session · floor", Some("entry.title"), &body)
}

/// The body of `POST /join`.
#[derive(Debug, Deserialize)]
pub(crate) struct Typed {
    code: String,
}

/// What a code that opens nothing is answered, whatever the reason.
const NO_ROOM: Problem = (
    "entry.no_room",
    "No session has this code. Check it on the projector and type it again.",
);

/// `POST /join` (a form, `code=...`): 303 to the participant page of the
/// room the code opens; 400 for what cannot be a code; 404 for a code that
/// opens nothing, as a failed guess.
pub(crate) async fn join_submit(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    typed: Result<Form<Typed>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Some(code) = typed.ok().and_then(|Form(typed)| normalize(&typed.code)) else {
        return join_answer(
            StatusCode::BAD_REQUEST,
            Some((
                "entry.not_a_code",
                "A join code has 8 letters and digits, like ABCD-EFGH.",
            )),
        );
    };
    match find(&broker, &code).await {
        Ok(Some((room, token))) => {
            let link = broker.link(&room, floor_protocol::Role::Participant, &token);
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, link),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                    (header::REFERRER_POLICY, "no-referrer".to_owned()),
                ],
            )
                .into_response()
        }
        Ok(None) => failed(&broker, client).await,
        Err(_) => join_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            Some((
                "entry.unavailable",
                "The sessions cannot be read right now. Try again in a moment.",
            )),
        ),
    }
}

async fn failed(broker: &Arc<Broker>, client: IpAddr) -> Response {
    let penalty = broker.addresses.failed(client);
    penalty.wait(&broker.shutdown).await;
    join_answer(StatusCode::NOT_FOUND, Some(NO_ROOM))
}

/// `GET /`: what floor is, the code box, and where a demo's links are.
pub(crate) async fn landing(State(broker): State<Arc<Broker>>) -> Response {
    let demo = if broker.room(crate::demo::ROOM_ID).is_some() {
        "<h2>The demo room</h2>\n<p>This broker runs the demo room. Its links, one per role \
         (chair, moderator, mic runner, projector, participants), are printed where the broker \
         was started: in its terminal, or in its container's log (<code>docker compose logs</code>).</p>\n"
    } else {
        ""
    };
    let body = format!(
        "<h1>floor</h1>\n<p>floor keeps one fair queue of requests to speak for a session held in a \
         room and online at once: hands raised in the hall and requests from remote participants \
         take turns, the chair calls each speaker, and a projector shows who speaks and who is next.</p>\n\
         <h2>Ask to speak</h2>\n<p>Type the join code shown on the projector.</p>\n{}{demo}\
         <p class=\"muted\">Organisers: a room's links come from <code>floor room create</code>.</p>\n",
        code_form(None)
    );
    page(
        StatusCode::OK,
        "floor: a fair queue of speakers",
        None,
        &body,
    )
}

/// floor's icon: a speech bubble.
const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1d4ea8\"/>\
<path d=\"M7 8h18a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H14l-6 5v-5H7a2 2 0 0 1-2-2V10a2 2 0 0 1 2-2z\" fill=\"#fff\"/>\
<rect x=\"10\" y=\"12\" width=\"12\" height=\"2\" fill=\"#1d4ea8\"/><rect x=\"10\" y=\"16\" width=\"8\" height=\"2\" fill=\"#1d4ea8\"/></svg>";

/// `GET /favicon.ico`: floor's icon, SVG.
pub(crate) async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        FAVICON,
    )
        .into_response()
}

/// The body of `GET /api/rooms/{id}/join-code`.
#[derive(Debug, Serialize)]
struct RoomCode {
    /// The code, as people read it (`ABCD-EFGH`).
    code: String,
    /// Where to type it.
    join_url: String,
    /// The participant page's link, with its token.
    link: String,
}

/// `GET /api/rooms/{id}/join-code`: the room's join code, for any token of
/// the room (each may know the participant link) or the admin token.
pub(crate) async fn room_code(
    State(broker): State<Arc<Broker>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let room = match crate::http::api_room(&broker, client, &headers, &id).await {
        Ok(room) => room,
        Err(response) => return response,
    };
    let token = crate::http::bearer(&headers);
    if !token.is_some_and(|t| broker.is_admin(t) || room.role_of(t).is_some()) {
        let answer = crate::http::api_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this needs a token of the room (or the admin token) as `Authorization: Bearer TOKEN`",
        );
        return crate::http::failed_guess(&broker, client, answer).await;
    }
    let participant = room
        .tokens
        .read()
        .ok()
        .and_then(|tokens| tokens.participant().map(str::to_owned));
    let Some(participant) = participant else {
        return crate::http::api_error(
            StatusCode::NOT_FOUND,
            "no_join_code",
            "this room has no join code: it was created before join codes; rotate its participant token to give it one",
        );
    };
    let public = broker.config.public_url.trim_end_matches('/');
    axum::Json(RoomCode {
        code: pretty(&code_of(&participant)),
        join_url: format!("{public}/join"),
        link: broker.link(&id, floor_protocol::Role::Participant, &participant),
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_eight_unambiguous_characters_and_reads_back() {
        for _ in 0..200 {
            let code = code_of(&crate::auth::new_token());
            assert_eq!(code.len(), CODE_LEN);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L', 'U']));
            let typed = pretty(&code).to_lowercase().replace('-', " - ");
            assert_eq!(normalize(&typed), Some(code));
        }
        assert_eq!(normalize("ABCD-EFG"), None);
        assert_eq!(normalize("ABCD-EFG0"), None);
        assert_ne!(code_of("a"), code_of("b"));
    }
}
