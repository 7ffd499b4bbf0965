//! The web pages of each role, embedded in the binary: one HTML file per
//! page under `/r/{room}/{page}` and their scripts and style under
//! `/assets/`. They speak the same protocol as every other client (see
//! `pages/floor.js`); the role token stays in the link's `#fragment` and
//! the browser's session storage and never reaches the server in a URL.
//! The conference's two pages are here too: `/conference`, the venue
//! dashboard (admin or `ops` token), and `/conference/sheet`, which shows
//! the staff sheet (admin token).
//!
//! Also here: `POST /qr.svg`, a QR code of the link in the body (the
//! projector shows the participant page's; a POST keeps its token out of
//! URLs and logs), `/api/chat/parse`, the transcript reader the
//! moderator page uses, the same one as the Rust clients', and
//! `/api/programme/parse` and `/api/programme/format`, the room-file reader
//! and writer the chair's console edits the run of show with.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::broker::Broker;

/// A page: its `<head>` is written here, once for all pages; its file
/// under `pages/` holds its `<body>`.
struct Page {
    /// The path segment, also the name of its script (`/assets/{name}.js`).
    name: &'static str,
    /// The way from its path up to the broker's root (`../../` from
    /// `/r/{room}/{page}`), so that its assets load behind a proxy's prefix.
    root: &'static str,
    /// The `data-t` key of its title (the pages' strings) and the English
    /// title the page shows before its script runs.
    title: (&'static str, &'static str),
    /// Whether it uses the dark theme (the projector).
    dark: bool,
    /// From `<body>` to the end.
    body: &'static str,
}

/// The pages, by path segment.
const PAGES: &[Page] = &[
    Page {
        name: "display",
        root: "../../",
        title: ("app.name", "floor"),
        dark: true,
        body: include_str!("pages/display.html"),
    },
    Page {
        name: "chair",
        root: "../../",
        title: ("chair.title", "Chair"),
        dark: false,
        body: include_str!("pages/chair.html"),
    },
    Page {
        name: "moderator",
        root: "../../",
        title: ("moderator.title", "Online moderator"),
        dark: false,
        body: include_str!("pages/moderator.html"),
    },
    Page {
        name: "runner",
        root: "../../",
        title: ("runner.title", "Mic runner"),
        dark: false,
        body: include_str!("pages/runner.html"),
    },
    Page {
        name: "join",
        root: "../../",
        title: ("join.title", "Ask to speak"),
        dark: false,
        body: include_str!("pages/join.html"),
    },
];

impl Page {
    /// The whole document: the head every page shares, then its body.
    fn document(&self) -> String {
        let Page {
            name,
            root,
            title: (key, title),
            dark,
            body,
        } = self;
        let theme = if *dark { " data-theme=\"dark\"" } else { "" };
        format!(
            "<!doctype html>\n<html lang=\"en\"{theme}>\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title data-t=\"{key}\">{title}</title>\n\
             <link rel=\"stylesheet\" href=\"{root}assets/floor.css\">\n\
             <script type=\"module\" src=\"{root}assets/{name}.js\"></script>\n</head>\n{body}"
        )
    }
}

/// Every page's document, written once and shared by every answer.
static DOCUMENTS: std::sync::LazyLock<Vec<(&'static str, Bytes)>> =
    std::sync::LazyLock::new(|| {
        PAGES
            .iter()
            .map(|page| (page.name, Bytes::from(page.document())))
            .collect()
    });

/// The assets the pages load, by file name.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "floor.css",
        "text/css; charset=utf-8",
        include_str!("pages/floor.css"),
    ),
    (
        "floor.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/floor.js"),
    ),
    (
        "protocol.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/protocol.js"),
    ),
    (
        "fields.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/fields.js"),
    ),
    (
        "undo.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/undo.js"),
    ),
    (
        "deck.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/deck.js"),
    ),
    (
        "order.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/order.js"),
    ),
    (
        "fold.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/fold.js"),
    ),
    (
        "errors.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/errors.js"),
    ),
    (
        "strings.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings.js"),
    ),
    (
        "strings-en.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings-en.js"),
    ),
    (
        "strings-zh.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings-zh.js"),
    ),
    (
        "strings-ar.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings-ar.js"),
    ),
    (
        "strings-fr.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings-fr.js"),
    ),
    (
        "strings-ru.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings-ru.js"),
    ),
    (
        "strings-es.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/strings-es.js"),
    ),
    (
        "entry.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/entry.js"),
    ),
    (
        "display.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/display.js"),
    ),
    (
        "chair.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/chair.js"),
    ),
    (
        "moderator.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/moderator.js"),
    ),
    (
        "moderation.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/moderation.js"),
    ),
    (
        "runner.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/runner.js"),
    ),
    (
        "join.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/join.js"),
    ),
    (
        "wait.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/wait.js"),
    ),
    (
        "conference.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/conference.js"),
    ),
    (
        "venue.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/venue.js"),
    ),
    (
        "sheet.js",
        "text/javascript; charset=utf-8",
        include_str!("pages/sheet.js"),
    ),
];

/// Longest link `/qr.svg` encodes.
const QR_MAX: usize = 1024;
/// Largest transcript `/api/chat/parse` reads.
const TRANSCRIPT_MAX: usize = 256 * 1024;
/// Largest room file `/api/programme/parse` reads.
const ROOM_FILE_MAX: usize = 64 * 1024;

/// Only the page's own scripts, styles, socket and images.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The staff sheet's page: [`CSP`], but the sheet it shows carries its
/// style inline (scripts stay the page's own only).
const SHEET_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                         img-src 'self' blob:; connect-src 'self'; base-uri 'none'; \
                         form-action 'none'; frame-ancestors 'none'";

/// The venue dashboard, `/conference`: a page of the conference, not of
/// a room (the staff sheet's is `/conference/sheet`).
const VENUE: Page = Page {
    name: "conference",
    root: "",
    title: ("conference.title", "Venue dashboard"),
    dark: false,
    body: include_str!("pages/conference.html"),
};
/// The staff sheet's page (it shows the sheet in place of itself).
const SHEET: Page = Page {
    name: "sheet",
    root: "../",
    title: ("sheet.title", "Staff sheet"),
    dark: false,
    body: include_str!("pages/sheet.html"),
};

/// The venue dashboard's document, written once.
static VENUE_DOCUMENT: std::sync::LazyLock<Bytes> =
    std::sync::LazyLock::new(|| Bytes::from(VENUE.document()));
/// The staff sheet page's document, written once.
static SHEET_DOCUMENT: std::sync::LazyLock<Bytes> =
    std::sync::LazyLock::new(|| Bytes::from(SHEET.document()));

/// A page's answer: its document, not cached without asking, no referrer,
/// and the content security policy `csp`.
fn html_page(html: Bytes, csp: &'static str) -> Response {
    let mut response = (
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
        HeaderValue::from_static(csp),
    );
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such room or page").into_response()
}

/// `GET /r/{room}/{page}`.
pub(crate) async fn page(
    State(broker): State<Arc<Broker>>,
    Path((room, page)): Path<(String, String)>,
) -> Response {
    let Some((_, html)) = DOCUMENTS.iter().find(|(name, _)| *name == page) else {
        return not_found();
    };
    match broker.find_room(&room).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the room cannot be read from the store right now; try again",
            )
                .into_response();
        }
    }
    html_page(html.clone(), CSP)
}

/// `GET /conference`: the venue dashboard (its script reads the admin or
/// `ops` token from the link's `#token=`).
pub(crate) async fn conference_page() -> Response {
    html_page(VENUE_DOCUMENT.clone(), CSP)
}

/// `GET /conference/sheet`: the staff sheet, for the admin (its script
/// reads the admin token from the link's `#token=`).
pub(crate) async fn sheet_page() -> Response {
    html_page(SHEET_DOCUMENT.clone(), SHEET_CSP)
}

/// `GET /assets/{file}`.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => not_found(),
    }
}

/// `POST /qr.svg`: a QR code of the body (a link), as SVG.
pub(crate) async fn qr(body: String) -> Response {
    if body.is_empty() || body.len() > QR_MAX {
        return (StatusCode::BAD_REQUEST, "the link must be 1 to 1024 bytes").into_response();
    }
    let Ok(code) = qrcode::QrCode::new(body.as_bytes()) else {
        return (StatusCode::BAD_REQUEST, "data does not fit a QR code").into_response();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

/// `POST /api/chat/parse`: a pasted transcript (plain text) read into
/// questions and unreadable lines, as JSON.
pub(crate) async fn parse_chat(body: String) -> Response {
    if body.len() > TRANSCRIPT_MAX {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "a transcript may be at most 256 KiB",
        )
            .into_response();
    }
    axum::Json(floor_files::chat::parse(&body)).into_response()
}

/// `POST /api/programme/parse`: a room file (TOML) read into a run of
/// show: `{"title", "programme"}`, or 422 with `{"line", "reason"}`.
pub(crate) async fn parse_programme(body: String) -> Response {
    if body.len() > ROOM_FILE_MAX {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "a room file may be at most 64 KiB",
        )
            .into_response();
    }
    match floor_files::programme::parse(&body) {
        Ok(file) => axum::Json(serde_json::json!({
            "title": file.title,
            "programme": file.programme,
        }))
        .into_response(),
        Err(error) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({
                "line": error.line,
                "reason": error.reason,
                "message": error.to_string(),
            })),
        )
            .into_response(),
    }
}

/// `POST /api/programme/format`: a run of show (JSON, as in
/// `set_programme`) written as a room file (TOML).
pub(crate) async fn format_programme(
    programme: Result<
        axum::Json<floor_protocol::Programme>,
        axum::extract::rejection::JsonRejection,
    >,
) -> Response {
    let programme = match programme {
        Ok(axum::Json(programme)) => programme,
        Err(rejection) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, rejection.body_text()).into_response();
        }
    };
    match floor_files::programme::format(None, &programme) {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response(),
        Err(error) => (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).into_response(),
    }
}
