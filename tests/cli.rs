//! The `floor` command as an operator uses it: rooms through the CLI,
//! configuration from a file with flags winning, and a graceful stop.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use floor_tests::*;
use serde_json::json;

fn floor_cli(floor: &Floor, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(floor_bin())
        .args(args)
        .args(["--server", &floor.http_url()])
        .env("FLOOR_ADMIN_TOKEN", ADMIN)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test]
async fn rooms_are_created_listed_and_rotated_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let (ok, out, err) = floor_cli(
        &floor,
        &["room", "create", "plenary", "--title", "Main hall"],
    );
    assert!(ok, "{err}");
    let chair_link = out
        .lines()
        .find(|l| l.contains("/r/plenary/chair#token="))
        .expect("a chair link");
    let token = chair_link
        .split("#token=")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    for role in ["moderator", "runner", "join", "display"] {
        assert!(out.contains(&format!("/r/plenary/{role}#token=")), "{out}");
    }

    let (ok, out, _) = floor_cli(&floor, &["room", "list"]);
    assert!(ok);
    assert!(out.contains("plenary\tMain hall"), "{out}");

    let (ok, _, err) = floor_cli(&floor, &["room", "create", "plenary", "--title", "Again"]);
    assert!(!ok);
    assert!(err.contains("exists"), "{err}");
    let (ok, _, err) = floor_cli(&floor, &["room", "create", "Not A Slug", "--title", "x"]);
    assert!(!ok);
    assert!(err.contains("room id"), "{err}");

    let hello = json!({"type": "hello", "protocol": 1, "room": "plenary", "token": token, "client_id": "c"});
    let chair = Client::connect(&floor, hello.clone()).await;
    assert_eq!(chair.welcome["role"], "chair");
    let (ok, out, err) = floor_cli(
        &floor,
        &["room", "rotate-token", "plenary", "--role", "chair"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("/r/plenary/chair#token="));
    let mut old = Client::raw(Client::open(&floor).await);
    old.send(&hello).await;
    refused(old.next().await, "unauthorized");
}

#[tokio::test]
async fn a_config_file_is_read_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("floor.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:1\"\ndata = \"{}\"\npublic_url = \"https://floor.example.org\"\nlog_format = \"json\"\n",
            dir.path().join("from-file").display()
        ),
    )
    .unwrap();
    // --listen (from the harness) wins over the file's; the file's data
    // directory and public URL are used.
    let floor = Floor::start_with(
        &dir.path().join("from-flag"),
        &["--config", file.to_str().unwrap(), "--demo"],
    );
    assert!(
        floor
            .banner
            .iter()
            .any(|l| l.contains("https://floor.example.org/r/ws235/display#token="))
    );
    assert!(
        dir.path().join("from-flag/floor.db").exists(),
        "the --data flag wins over the file"
    );

    std::fs::write(&file, "listen = 42\n").unwrap();
    let output = Command::new(floor_bin())
        .args(["serve", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a valid floor configuration"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_connections_with_going_away_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    acked(runner.command("a", submit("onsite", "Amina")).await);
    let status = tokio::task::block_in_place(|| floor.terminate());
    assert!(status.success(), "{status}");
    assert_eq!(runner.closed().await.map(|f| u16::from(f.code)), Some(1001));
    // The acknowledged entry is in the log.
    let floor = Floor::start(&dir.path().join("data"));
    assert_eq!(
        floor.snapshot(&tokens).await["room"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn floor_report_writes_the_session_report_in_every_format() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ws235-session.jsonl");
    let run_in = |format: &str, lang: Option<&str>| {
        let output = Command::new(floor_bin())
            .args([
                "report",
                "ws235",
                "--title",
                "IGF 2018 WS #235",
                "--format",
                format,
            ])
            .args(lang.map(|lang| ["--lang", lang]).into_iter().flatten())
            .arg("--events")
            .arg(&fixture)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let run = |format: &str| run_in(format, None);
    // Names and titles are isolated (U+2068 ... U+2069) in the Markdown.
    let plain = |text: String| text.replace(['\u{2068}', '\u{2069}'], "");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["requests"], json!({"onsite": 2, "online": 5}));
    assert_eq!(
        json["online_questions"],
        json!({"asked": 5, "forwarded": 5, "answered": 3, "merged": 1, "rejected": 1, "withdrawn": 0})
    );
    assert_eq!(json["waiting_online"]["median_ms"], 260_000);
    let md = plain(run("md"));
    assert!(md.starts_with("# Session report: IGF 2018 WS #235"), "{md}");
    assert!(md.contains("| Median wait | 3:50 | 4:20 |"), "{md}");
    assert!(md.contains("Bo Chen (onsite) called out of order"), "{md}");
    assert!(md.contains("(times in Europe/Paris, UTC+01:00)"), "{md}");
    assert!(
        md.contains("| Fay Wong | Question, online | – | Rejected: Off topic |"),
        "{md}"
    );
    let html = run("html");
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert_eq!(html.matches("<svg").count(), 2, "both charts");
    assert!(html.contains("Requests waiting, per channel"));
    assert!(html.contains("Speaking time, per channel"));
    assert!(html.contains("@page { size: A4;"));
    std::fs::create_dir_all(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/report"),
    )
    .unwrap();
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/report/ws235-session.html"),
        &html,
    )
    .unwrap();
    let csv = run("csv");
    assert!(csv.starts_with("section,item,onsite,online,total\n"));
    assert!(csv.contains("\nrequests,all,2,5,7\n"), "{csv}");
    assert!(csv.contains("\nonline questions,answered,,3,3\n"), "{csv}");

    // In the six languages: the human forms translated, JSON and CSV the
    // same in every one.
    let json = run("json");
    for (lang, title) in [
        ("ar", "# تقرير الجلسة: IGF 2018 WS #235"),
        ("zh", "# 会议报告：IGF 2018 WS #235"),
        ("en", "# Session report: IGF 2018 WS #235"),
        ("fr", "# Rapport de séance\u{a0}: IGF 2018 WS #235"),
        ("ru", "# Отчёт о сессии «IGF 2018 WS #235»"),
        ("es", "# Informe de la sesión: IGF 2018 WS #235"),
    ] {
        let md = plain(run_in("md", Some(lang)));
        assert!(md.starts_with(title), "{lang}: {md}");
        assert!(md.contains("| 3:50 | 4:20 |"), "{lang}: {md}");
        let html = run_in("html", Some(lang));
        let dir = if lang == "ar" { "rtl" } else { "ltr" };
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{lang}: {html}"
        );
        assert!(html.contains("<bdi>Bo Chen</bdi>"), "{lang}");
        assert_eq!(html.matches("<svg").count(), 2, "{lang}: both charts");
        assert_eq!(run_in("json", Some(lang)), json, "{lang}: the JSON");
        assert_eq!(run_in("csv", Some(lang)), csv, "{lang}: the CSV");
    }
    let unknown = Command::new(floor_bin())
        .args(["report", "ws235", "--lang", "de", "--events"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("unknown language \"de\": the report is in ar, zh, en, fr, ru or es"),
        "{err}"
    );

    // From a running broker's data directory.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let floor = Floor::start(&data);
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "r")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);
    let args = ["report", "plenary", "--format", "json", "--data"];
    let json = floor_json(
        args.iter()
            .map(std::ffi::OsStr::new)
            .chain([data.as_os_str()]),
    );
    assert_eq!(json["title"], "Room plenary");
    assert_eq!(json["requests"]["onsite"], 1);

    // Asked of the running broker instead (what works with either store):
    // the same report.
    let (ok, fetched, err) = floor_cli(&floor, &["report", "plenary", "--format", "json"]);
    assert!(ok, "{err}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&fetched).unwrap(),
        json
    );
    assert!(fetched.ends_with("}\n"), "{fetched}");
    // In another language: the broker writes it (`?lang=`), the JSON
    // is the same.
    let (ok, french, err) = floor_cli(&floor, &["report", "plenary", "--lang", "fr"]);
    assert!(ok, "{err}");
    assert!(
        plain(french.clone()).starts_with("# Rapport de séance\u{a0}: Room plenary"),
        "{french}"
    );
    let (ok, fetched_ar, err) = floor_cli(
        &floor,
        &["report", "plenary", "--format", "json", "--lang", "ar"],
    );
    assert!(ok, "{err}");
    assert_eq!(fetched_ar, fetched);
    let refused = Command::new(floor_bin())
        .args(["report", "plenary", "--server", &floor.http_url()])
        .args(["--token", tokens.role("display")])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("refused (401"), "{err}");
    assert!(err.contains("chair token"), "{err}");
    let output = Command::new(floor_bin())
        .args(["report", "nope", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no room nope"));
}

#[tokio::test]
async fn the_chair_downloads_the_report_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "r")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);
    let (status, body) = floor
        .http(
            "GET",
            "/api/rooms/plenary/report",
            tokens.role("chair"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let plain =
        |body: &serde_json::Value| body.as_str().unwrap().replace(['\u{2068}', '\u{2069}'], "");
    assert!(plain(&body).starts_with("# Session report: Room plenary"));
    let (status, body) = floor
        .http("GET", "/api/rooms/plenary/report?format=json", ADMIN, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["requests"]["onsite"], 1);
    // `lang` translates the human forms and leaves JSON and CSV as they are.
    async fn report(floor: &Floor, query: &str) -> (u16, serde_json::Value) {
        let path = format!("/api/rooms/plenary/report?{query}");
        floor.http("GET", &path, ADMIN, None).await
    }
    let (status, zh) = report(&floor, "lang=zh").await;
    assert_eq!(status, 200);
    assert!(plain(&zh).starts_with("# 会议报告：Room plenary"), "{zh}");
    let (status, ar) = report(&floor, "format=html&lang=ar").await;
    assert_eq!(status, 200);
    let ar = ar.as_str().unwrap();
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"), "{ar}");
    assert!(ar.contains("<bdi>Amina Diallo</bdi>"), "{ar}");
    for lang in ["ar", "zh", "en", "fr", "ru", "es"] {
        let query = format!("format=json&lang={lang}");
        let (status, json) = report(&floor, &query).await;
        assert_eq!((status, &json), (200, &body), "{lang}");
    }
    let (_, csv) = report(&floor, "format=csv").await;
    let (status, csv_ru) = report(&floor, "format=csv&lang=ru").await;
    assert_eq!((status, csv_ru), (200, csv));
    let (status, refused) = report(&floor, "lang=de").await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"], "invalid_field");
    assert_eq!(refused["message"], "lang is ar, zh, en, fr, ru or es");
    for token in [tokens.role("runner"), tokens.role("display"), "nope"] {
        let (status, _) = floor
            .http("GET", "/api/rooms/plenary/report", token, None)
            .await;
        assert_eq!(status, 401);
    }
    let (status, _) = floor
        .http("GET", "/api/rooms/plenary/report?format=pdf", ADMIN, None)
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_name_that_looks_like_a_formula_is_no_formula_in_the_csv_report() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("plenary").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "r")).await;
    acked(runner.command("r1", submit("onsite", "Amina Diallo")).await);
    let hostile = [
        "=2+5+cmd|' /C calc'!A0",
        "x,=2+5",
        "@SUM(1,2)",
        "-1+1",
        "+1",
    ];
    let mut ids = Vec::new();
    for (i, name) in hostile.iter().enumerate() {
        let ack = acked(
            runner
                .command(&format!("h{i}"), submit("onsite", name))
                .await,
        );
        ids.push(ack["entry_id"].clone());
    }
    // Pinned and called out of order: each name lands in the report.
    let mut chair = Client::connect(&floor, tokens.hello("chair", "c")).await;
    for (i, id) in ids.iter().enumerate() {
        acked(
            chair
                .command(&format!("p{i}"), json!({"type": "pin", "entry_id": id}))
                .await,
        );
        acked(
            chair
                .command(&format!("n{i}"), json!({"type": "next"}))
                .await,
        );
    }
    let (status, body) = floor
        .http(
            "GET",
            "/api/rooms/plenary/report?format=csv",
            tokens.role("chair"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let text = body.as_str().unwrap().to_owned();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for record in reader.records() {
        cells.extend(record.unwrap().iter().map(str::to_owned));
    }
    for cell in &cells {
        assert!(
            !cell.trim_start().starts_with(['=', '+', '-', '@']),
            "a cell a spreadsheet would run: {cell:?}\n{text}"
        );
    }
    for name in hostile {
        assert!(
            cells.iter().any(|c| c.contains(name)),
            "{name} is in the report, whole, in one cell\n{text}"
        );
    }
}

/// The names under "Commands:" in a `--help` text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_help_shows_a_secret_from_the_environment() {
    let secret = "5ec7e75ec7e75ec7e75ec7e75ec7e75e";
    let link = format!("http://hall.example:8080/r/ws235/chair#token={secret}");
    let environment = [
        ("FLOOR_URL", link.as_str()),
        ("FLOOR_TOKEN", secret),
        ("FLOOR_CLIENT_ID", secret),
        ("FLOOR_ADMIN_TOKEN", secret),
        (
            "FLOOR_SERVER",
            "http://5ec7e75ec7e75ec7e75ec7e75ec7e75e.example",
        ),
        (
            "FLOOR_STORE",
            "nats://user:5ec7e75ec7e75ec7e75ec7e75ec7e75e@nats:4222",
        ),
    ];
    // Every command and subcommand, found from the help itself.
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        let output = Command::new(floor_bin())
            .args(&path)
            .arg("--help")
            .envs(environment)
            .output()
            .unwrap();
        assert!(output.status.success(), "{path:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(
            !help.contains(secret),
            "floor {} --help: {help}",
            path.join(" ")
        );
        for name in subcommands(&help) {
            let mut deeper = path.clone();
            deeper.push(name);
            pending.push(deeper);
        }
        seen += 1;
    }
    // floor, its 7 commands, and theirs.
    assert!(seen > 20, "only {seen} helps read");
}

/// Whoever the room shows speaking now, by name.
async fn speaking(floor: &Floor, tokens: &Tokens) -> Option<String> {
    let state = floor.room_state(tokens).await;
    state.speaking().map(|(_, entry)| entry.person.name.clone())
}

#[tokio::test]
async fn the_chair_undoes_a_call_from_the_command_line_and_a_stale_command_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let mut other = Client::connect(&floor, tokens.hello("chair", "chair-phone")).await;
    for (channel, name) in [
        ("onsite", "Amina Diallo"),
        ("online", "Bo Chen"),
        ("onsite", "Carla Ruiz"),
    ] {
        acked(other.command(name, submit(channel, name)).await);
    }
    let chair = tokens.link(&floor, "chair");
    let (code, _, err) = floor_role(&chair, &["chair", "next"]);
    assert_eq!(code, 0, "{err}");
    let before = floor.snapshot(&tokens).await;

    // Next calls Bo; undo gives Amina the floor back and puts Bo back in
    // line, at his place: the room's order is as before the next.
    let (code, out, err) = floor_role(&chair, &["chair", "next"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("speaking: Bo Chen"), "{out}");
    let (code, out, err) = floor_role(&chair, &["chair", "undo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("call undone: Bo Chen"), "{out}");
    assert!(out.contains("1st in line"), "{out}");
    assert!(out.contains("speaking: Amina Diallo"), "{out}");
    let after = floor.snapshot(&tokens).await;
    assert_eq!(after["order"], before["order"]);
    assert_eq!(after["room"]["speaking"], before["room"]["speaking"]);
    assert_eq!(after["room"]["turns"], before["room"]["turns"]);

    // Once only: exit 1, a clear message, nothing changed.
    let head = floor.room_state(&tokens).await.seq();
    let (code, _, err) = floor_role(&chair, &["chair", "undo", "--json"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no call to undo"), "{err}");
    assert_eq!(floor.room_state(&tokens).await.seq(), head);

    // Another chair screen calls Bo between what `floor chair next` read
    // (Amina speaking) and its command: refused, nothing changed.
    let mut hold = Hold::start(floor.addr).await;
    let stale = hold.link("hall", "chair", tokens.role("chair"));
    let cli = tokio::task::spawn_blocking(move || floor_role(&stale, &["chair", "next"]));
    hold.held().await;
    acked(
        other
            .command("n", serde_json::json!({"type": "next"}))
            .await,
    );
    let head = other.seq;
    hold.release();
    let (code, _, err) = cli.await.unwrap();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("speaker_changed"), "{err}");
    assert!(err.contains("now Bo Chen"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(floor.room_state(&tokens).await.seq(), head);
    assert_eq!(speaking(&floor, &tokens).await.as_deref(), Some("Bo Chen"));

    // With --force the same race acts on whoever speaks when it arrives.
    let mut hold = Hold::start(floor.addr).await;
    let forced = hold.link("hall", "chair", tokens.role("chair"));
    let cli =
        tokio::task::spawn_blocking(move || floor_role(&forced, &["chair", "finish", "--force"]));
    hold.held().await;
    acked(
        other
            .command("n2", serde_json::json!({"type": "next"}))
            .await,
    );
    hold.release();
    let (code, out, err) = cli.await.unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nobody is speaking"), "{out}");
    let state = floor.room_state(&tokens).await;
    let carla = state
        .view()
        .entries
        .iter()
        .find(|e| e.person.name == "Carla Ruiz")
        .unwrap();
    assert_eq!(carla.status, floor_protocol::EntryStatus::Done);
}

#[tokio::test]
async fn the_chair_closes_and_opens_the_queue_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let chair = tokens.link(&floor, "chair");
    let (code, out, err) = floor_role(&chair, &["chair", "close"]);
    assert_eq!((code, out.as_str()), (0, "queue closed\n"), "{err}");
    assert!(!floor.room_state(&tokens).await.view().queue_open);
    let (code, out, err) = floor_role(&chair, &["chair", "open"]);
    assert_eq!((code, out.as_str()), (0, "queue open\n"), "{err}");
    assert!(floor.room_state(&tokens).await.view().queue_open);
}
