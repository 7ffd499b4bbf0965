//! The HTTP API's examples, `protocol/examples/http/*.json`, against the
//! real broker: each example's request is sent to a fresh broker (after
//! its `given` room and commands), and the answer must match the
//! example's response: the same status and content type, and a body of
//! the same shape (the same keys, array lengths and JSON types) with the
//! same values, except at the places the example's `vary` list names,
//! where only the type must match (ids, tokens, times). The session
//! report's JSON is also checked against
//! `protocol/schema/report.schema.json`, the event's participation
//! report's against `protocol/schema/conference-report.schema.json`.
//!
//! `FLOOR_UPDATE_EXAMPLES=1` rewrites each example's response from the
//! broker's answer (a varying text body is kept as the example has it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use floor_tests::*;
use serde_json::{Value, json};

fn protocol_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocol")
}

fn examples() -> Vec<(PathBuf, Value)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(protocol_dir().join("examples/http"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", p.display()));
            (p, value)
        })
        .collect()
}

/// What the broker answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

/// Sends an example's request; `tokens` are the given room's.
async fn send(floor: &Floor, request: &Value, tokens: &HashMap<String, String>) -> Answer {
    let url = format!("{}{}", floor.http_url(), request["path"].as_str().unwrap());
    let method = request["method"].as_str().unwrap().to_owned();
    let auth = request["auth"].as_str().map(|who| match who {
        "admin" => ADMIN.to_owned(),
        "wrong" => "not-a-token-of-anything".to_owned(),
        role => tokens
            .get(role)
            .unwrap_or_else(|| panic!("no {role} token: the example needs a given room"))
            .clone(),
    });
    let json_body = request.get("body").cloned();
    let text_body = request["text"].as_str().map(str::to_owned);
    let form_body: Option<Vec<(String, String)>> = request["form"].as_object().map(|form| {
        form.iter()
            .map(|(name, value)| {
                let value = match value.as_str().unwrap() {
                    "$code" => tokens["$code"].clone(),
                    typed => typed.to_owned(),
                };
                (name.clone(), value)
            })
            .collect()
    });
    tokio::task::spawn_blocking(move || {
        // A redirect is the answer, not followed.
        let agent = floor_tests::http_agent_seeing_redirects();
        let response = if method == "GET" {
            let mut get = agent.get(&url);
            if let Some(token) = &auth {
                get = get.header("Authorization", &format!("Bearer {token}"));
            }
            get.call()
        } else {
            let mut post = if method == "PUT" {
                agent.put(&url)
            } else {
                agent.post(&url)
            };
            if let Some(token) = &auth {
                post = post.header("Authorization", &format!("Bearer {token}"));
            }
            if let Some(form) = &form_body {
                let pairs = form.iter().map(|(k, v)| (k.as_str(), v.as_str()));
                return finish(post.send_form(pairs).unwrap());
            }
            match (json_body, text_body) {
                (Some(body), _) => post.send_json(body),
                (None, Some(text)) => post
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .send(text.as_bytes()),
                (None, None) => post.send_empty(),
            }
        }
        .unwrap();
        finish(response)
    })
    .await
    .unwrap()
}

/// The answer in a response.
fn finish(response: ureq::http::Response<ureq::Body>) -> Answer {
    {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.into_body().read_to_string().unwrap();
        let body = if content_type.starts_with("application/json") {
            serde_json::from_str(&text).unwrap()
        } else {
            Value::String(text)
        };
        Answer {
            status,
            content_type,
            body,
        }
    }
}

/// Imports the example's given conference, issues its `ops` token,
/// creates its given room (or takes its given conference session's) and
/// issues its given commands; returns the tokens by role.
async fn given(floor: &Floor, given: &Value) -> HashMap<String, String> {
    let mut tokens = HashMap::new();
    if let Some(programme) = given.get("conference") {
        let (status, body) = floor
            .http("PUT", "/api/conference", ADMIN, Some(programme.clone()))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    if given["ops"] == json!(true) {
        let (status, body) = floor
            .http("POST", "/api/conference/ops-token", ADMIN, None)
            .await;
        assert_eq!(status, 200, "{body}");
        tokens.insert("ops".into(), body["token"].as_str().unwrap().to_owned());
    }
    // The room the commands go to: a room made for the example, or the
    // room of a session of the given conference (`session`, its id),
    // whose tokens the admin rotates to learn them.
    let (room_id, body) = if let Some(room) = given.get("room") {
        let (status, body) = floor
            .http("POST", "/api/rooms", ADMIN, Some(room.clone()))
            .await;
        assert_eq!(status, 201, "{body}");
        (room["id"].clone(), body)
    } else if let Some(session) = given.get("session") {
        let path = format!("/api/rooms/{}/rotate", session.as_str().unwrap());
        let (status, body) = floor.http("POST", &path, ADMIN, Some(json!({}))).await;
        assert_eq!(status, 200, "{body}");
        (session.clone(), body)
    } else {
        return tokens;
    };
    for (role, token) in body["tokens"].as_object().unwrap() {
        tokens.insert(role.clone(), token.as_str().unwrap().to_owned());
    }
    // `$code` in a form body: the room's join code.
    let path = format!("/api/rooms/{}/join-code", room_id.as_str().unwrap());
    let (_, code) = floor.http("GET", &path, &tokens["display"], None).await;
    tokens.insert("$code".into(), code["code"].as_str().unwrap().to_owned());
    let mut clients: HashMap<String, Client> = HashMap::new();
    let mut entries: Vec<String> = Vec::new();
    let commands = given["commands"].as_array().cloned().unwrap_or_default();
    for (i, step) in commands.iter().enumerate() {
        let role = step["role"].as_str().unwrap();
        if !clients.contains_key(role) {
            let hello = json!({
                "type": "hello",
                "protocol": 1,
                "room": room_id,
                "token": tokens[role],
                "client_id": role,
            });
            let client = Client::connect(floor, hello).await;
            clients.insert(role.to_owned(), client);
        }
        let client = clients.get_mut(role).unwrap();
        let command = with_entries(&step["command"], &entries);
        let ack = acked(client.command(&format!("given-{i}"), command).await);
        entries.push(ack["entry_id"].as_str().unwrap_or_default().to_owned());
    }
    tokens
}

/// `command` with each string `$entry/N` replaced by the id of the entry
/// the given command N (from 0) submitted.
fn with_entries(command: &Value, entries: &[String]) -> Value {
    match command {
        Value::String(s) => match s.strip_prefix("$entry/") {
            Some(n) => Value::String(entries[n.parse::<usize>().unwrap()].clone()),
            None => command.clone(),
        },
        Value::Array(items) => items.iter().map(|v| with_entries(v, entries)).collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), with_entries(v, entries)))
            .collect(),
        other => other.clone(),
    }
}

/// Whether a JSON Pointer matches a `vary` pattern (`*` matches any one
/// key or index).
fn matches(pattern: &str, pointer: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let pointer: Vec<&str> = pointer.split('/').collect();
    pattern.len() == pointer.len()
        && pattern
            .iter()
            .zip(&pointer)
            .all(|(p, q)| *p == "*" || p == q)
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every difference between the example's `want` and the broker's `got`
/// at `pointer` (`/response/body...`).
fn differences(want: &Value, got: &Value, pointer: &str, vary: &[String], out: &mut Vec<String>) {
    if type_of(want) != type_of(got) {
        out.push(format!(
            "{pointer}: a {} where the example has a {}",
            type_of(got),
            type_of(want)
        ));
        return;
    }
    if vary.iter().any(|p| matches(p, pointer)) {
        return;
    }
    match (want, got) {
        (Value::Object(want), Value::Object(got)) => {
            for key in want.keys().filter(|k| !got.contains_key(*k)) {
                out.push(format!("{pointer}/{key}: missing"));
            }
            for key in got.keys().filter(|k| !want.contains_key(*k)) {
                out.push(format!("{pointer}/{key}: not in the example"));
            }
            for (key, value) in want {
                if let Some(other) = got.get(key) {
                    differences(value, other, &format!("{pointer}/{key}"), vary, out);
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                out.push(format!(
                    "{pointer}: {} items, the example has {}",
                    got.len(),
                    want.len()
                ));
                return;
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                differences(w, g, &format!("{pointer}/{i}"), vary, out);
            }
        }
        _ if want != got => out.push(format!("{pointer}: {got}, the example has {want}")),
        _ => {}
    }
}

/// A report's JSON form fits its schema: `file`, in `protocol/schema/`.
fn check_report_schema(body: &Value, file: &str) {
    let text = std::fs::read_to_string(protocol_dir().join("schema").join(file)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "the report does not fit its schema: {errors:#?}"
    );
}

#[tokio::test]
async fn every_http_example_is_what_the_broker_answers() {
    let update = std::env::var_os("FLOOR_UPDATE_EXAMPLES").is_some();
    let examples = examples();
    assert!(examples.len() >= 20, "the HTTP examples are missing");
    let mut failures = Vec::new();
    for (path, mut example) in examples {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let floor = Floor::start(&dir.path().join("data"));
        let tokens = given(&floor, &example["given"]).await;
        let answer = send(&floor, &example["request"], &tokens).await;
        let vary: Vec<String> = example["vary"]
            .as_array()
            .map(|v| v.iter().map(|p| p.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        let route = example["request"]["path"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let schema = if route.starts_with("/api/conference/report") {
            "conference-report.schema.json"
        } else {
            "report.schema.json"
        };
        if route.contains("/report")
            && answer.status == 200
            && answer.content_type == "application/json"
        {
            check_report_schema(&answer.body, schema);
        }
        if update {
            let keep_text = answer.body.is_string()
                && vary.iter().any(|p| p == "/response/body")
                && example["response"]["body"].is_string();
            let body = if keep_text {
                example["response"]["body"].clone()
            } else {
                answer.body
            };
            example["response"] = json!({
                "status": answer.status,
                "content_type": answer.content_type,
                "body": body,
            });
            let mut text = serde_json::to_string_pretty(&example).unwrap();
            text.push('\n');
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let mut out = Vec::new();
        let got = json!({
            "status": answer.status,
            "content_type": answer.content_type,
            "body": answer.body,
        });
        differences(&example["response"], &got, "/response", &vary, &mut out);
        if !out.is_empty() {
            failures.push(format!("{name}:\n  {}", out.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn vary_patterns_match_one_segment_per_star() {
    assert!(matches(
        "/response/body/tokens/*",
        "/response/body/tokens/chair"
    ));
    assert!(!matches("/response/body/tokens/*", "/response/body/tokens"));
    assert!(matches(
        "/response/body/room/entries/*/id",
        "/response/body/room/entries/0/id"
    ));
    let mut out = Vec::new();
    differences(
        &json!({"a": [1, "x"]}),
        &json!({"a": [2, "x"], "b": 1}),
        "",
        &[],
        &mut out,
    );
    assert_eq!(
        out,
        ["/b: not in the example", "/a/0: 2, the example has 1"]
    );
    let mut out = Vec::new();
    differences(
        &json!({"a": 1}),
        &json!({"a": 2}),
        "",
        &["/a".to_owned()],
        &mut out,
    );
    assert!(out.is_empty());
    differences(
        &json!({"a": 1}),
        &json!({"a": "1"}),
        "",
        &["/a".to_owned()],
        &mut out,
    );
    assert_eq!(out, ["/a: a string where the example has a number"]);
}
