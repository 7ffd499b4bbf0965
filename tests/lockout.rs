//! Guessing is slowed, the innocent are never locked out: failed guesses
//! from one address are answered late, on WebSockets and on the HTTP API
//! alike, while a valid token from the same address goes straight
//! through; behind a trusted proxy every limit counts the forwarded
//! address; plain HTTP connections are capped per address and a stalled
//! request body is cut off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use floor_broker::limits::{DELAYED_PER_ADDRESS, FAILURE_BURST, FAILURE_DELAY};
use floor_tests::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// An answer that came at once: well before a late one could.
fn at_once(took: Duration) -> bool {
    took < FAILURE_DELAY / 2
}

/// An answer that waited out the delay.
fn late(took: Duration) -> bool {
    took >= FAILURE_DELAY - Duration::from_millis(50)
}

/// A TCP connection to `floor` from the loopback address `from`.
async fn tcp_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from((IpAddr::from(from), 0)))
        .unwrap();
    socket.connect(to).await.unwrap()
}

/// Opens a WebSocket to the broker at `to` from `from`, with extra
/// request headers; `Err` with the HTTP status when the upgrade is refused.
async fn ws_from(to: SocketAddr, from: [u8; 4], headers: &[(&str, &str)]) -> Result<Socket, u16> {
    let mut request = format!("ws://{to}/ws").into_client_request().unwrap();
    for (name, value) in headers {
        let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().append(name, value.parse().unwrap());
    }
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(tcp_from(from, to).await);
    match tokio_tungstenite::client_async(request, stream).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("unexpected: {other}"),
    }
}

/// Opens a WebSocket as [`ws_from`] does, waiting while the address
/// is at its cap: a socket whose hello failed leaves the count as soon as
/// the broker has read that hello, which may be a moment after it was
/// sent.
async fn ws_retrying(to: SocketAddr, from: [u8; 4], headers: &[(&str, &str)]) -> Socket {
    loop {
        match ws_from(to, from, headers).await {
            Ok(ws) => return ws,
            Err(429) => tokio::task::yield_now().await,
            Err(status) => panic!("upgrade refused with {status}"),
        }
    }
}

/// Sends a guess with a wrong token, from `from` with `headers`, to the
/// broker at `to`; returns the socket and when the guess was sent.
async fn send_guess(
    to: SocketAddr,
    tokens: &Tokens,
    from: [u8; 4],
    headers: &[(&str, &str)],
    i: u32,
) -> (Client, Instant) {
    let ws = ws_retrying(to, from, headers).await;
    let mut hello = tokens.hello("chair", &format!("guess-{i}"));
    hello["token"] = json!(format!("{i:032x}"));
    let mut client = Client::raw(ws);
    client.send(&hello).await;
    (client, Instant::now())
}

/// How long a guess took to be refused (`unauthorized`, then close 4002).
async fn refusal_time((mut client, sent): (Client, Instant)) -> Duration {
    refused(client.next().await, "unauthorized");
    let took = sent.elapsed();
    let close = client.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4002);
    took
}

/// A guess, sent and answered.
async fn guess(
    to: SocketAddr,
    tokens: Tokens,
    from: [u8; 4],
    headers: &[(&str, &str)],
    i: u32,
) -> Duration {
    refusal_time(send_guess(to, &tokens, from, headers, i).await).await
}

/// An HTTP request from `from`, with `Connection: close`; returns the
/// status and the body (status 0 when the connection was reset: a
/// refused connection's 429 may be lost to the reset when the request
/// was already sent).
async fn http_from(floor: &Floor, from: [u8; 4], request: &str) -> (u16, String) {
    let mut stream = tcp_from(from, floor.addr).await;
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = String::new();
    let read = tokio::time::timeout(DEADLINE, stream.read_to_string(&mut answer))
        .await
        .expect("answered in time");
    if read.is_err() {
        return (0, String::new());
    }
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

fn get(path: &str, token: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: floor\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
}

/// Times an HTTP call through the harness's client.
async fn timed(floor: &Floor, path: &str, token: &str) -> (u16, Duration) {
    let started = Instant::now();
    let (status, _) = floor.http("GET", path, token, None).await;
    (status, started.elapsed())
}

#[tokio::test]
async fn guesses_are_slowed_and_a_valid_token_from_the_same_address_goes_straight_through() {
    let dir = tempfile::tempdir().unwrap();
    // A cap of two sockets: sockets waiting for a late answer must not
    // take the slots valid tokens need.
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &["--max-connections-per-address", "2"],
    );
    let tokens = floor.create_room("r").await;
    const LOCAL: [u8; 4] = [127, 0, 0, 1];

    // The burst is answered at once.
    for i in 0..FAILURE_BURST {
        let took = guess(floor.addr, tokens.clone(), LOCAL, &[], i).await;
        assert!(at_once(took), "guess {i} took {took:?}");
    }
    // Then guesses wait; at most DELAYED_PER_ADDRESS of them at a time.
    let mut guesses = Vec::new();
    for i in 0..DELAYED_PER_ADDRESS + 8 {
        let sent = send_guess(floor.addr, &tokens, LOCAL, &[], 100 + i).await;
        guesses.push(tokio::spawn(refusal_time(sent)));
    }
    // While their late answers are pending (the old lockout answered 429
    // to everyone at the address by now), the chair's valid token is
    // welcomed at once, and so is a display's: the cap of two is free,
    // since waiting sockets do not count.
    let started = Instant::now();
    let chair = Client::hello_on(
        ws_retrying(floor.addr, LOCAL, &[]).await,
        tokens.hello("chair", "chair"),
    )
    .await;
    let display = Client::hello_on(
        ws_retrying(floor.addr, LOCAL, &[]).await,
        tokens.hello("display", "screen"),
    )
    .await;
    assert!(at_once(started.elapsed()), "{:?}", started.elapsed());
    assert_eq!(chair.welcome["role"], "chair");
    assert_eq!(display.welcome["role"], "display");

    let mut late_answers = 0;
    for guess in guesses {
        let took = guess.await.unwrap();
        if late(took) {
            late_answers += 1;
        }
        assert!(took < FAILURE_DELAY * 3, "{took:?}");
    }
    assert!(
        (8..=DELAYED_PER_ADDRESS).contains(&late_answers),
        "{late_answers} late answers"
    );
    // Another address is not concerned.
    let took = guess(floor.addr, tokens.clone(), [127, 0, 0, 2], &[], 1).await;
    assert!(at_once(took), "{took:?}");
    assert_eq!(floor.snapshot(&tokens).await["room"]["seq"], 0);
}

#[tokio::test]
async fn wrong_tokens_on_the_http_api_are_slowed_like_hellos_and_valid_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("r").await;

    // Wrong admin tokens, wrong room tokens, unknown rooms: one account.
    let paths = ["/api/rooms", "/api/rooms/r", "/api/rooms/nope"];
    for i in 0..FAILURE_BURST {
        let path = paths[i as usize % paths.len()];
        let (status, took) = timed(&floor, path, "wrong").await;
        assert!(matches!(status, 401 | 404), "{path}: {status}");
        assert!(at_once(took), "{path} took {took:?}");
    }
    // Both wait now: the HTTP API's failures and the WebSocket's are one
    // account (the allowance refills one failure every 2 s; the burst
    // took milliseconds).
    let hello = tokio::spawn(guess(floor.addr, tokens.clone(), [127, 0, 0, 1], &[], 7));
    let wrong = {
        let url = floor.http_url();
        tokio::spawn(async move {
            let started = Instant::now();
            let status = tokio::task::spawn_blocking(move || {
                let agent = floor_tests::http_agent();
                agent
                    .get(format!("{url}/api/rooms"))
                    .header("Authorization", "Bearer wrong")
                    .call()
                    .unwrap()
                    .status()
                    .as_u16()
            })
            .await
            .unwrap();
            (status, started.elapsed())
        })
    };
    // Meanwhile the valid tokens of the same address are answered at
    // once; a display token asking for the report is refused at once
    // (it is no guess).
    for (path, token, want) in [
        ("/api/rooms", ADMIN, 200),
        ("/api/rooms/r", tokens.role("display"), 200),
        ("/api/rooms/r/report", tokens.role("chair"), 200),
        ("/api/rooms/r/report", tokens.role("display"), 401),
        ("/api/rooms/nope", ADMIN, 404),
    ] {
        let (status, took) = timed(&floor, path, token).await;
        assert_eq!(status, want, "{path}");
        assert!(at_once(took), "{path} took {took:?}");
    }
    let (status, took) = wrong.await.unwrap();
    assert_eq!(status, 401);
    assert!(late(took), "{took:?}");
    let took = hello.await.unwrap();
    assert!(late(took), "{took:?}");
    // Another address is answered at once.
    let started = Instant::now();
    let (status, body) = http_from(&floor, [127, 0, 0, 2], &get("/api/rooms", "wrong")).await;
    assert_eq!(status, 401, "{body}");
    assert!(at_once(started.elapsed()));
}

#[tokio::test]
async fn behind_a_trusted_proxy_every_limit_counts_the_forwarded_address() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &[
            "--trusted-proxy",
            "127.0.0.1",
            "--max-connections-per-address",
            "1",
            "--max-http-connections-per-address",
            "1",
        ],
    );
    let tokens = floor.create_room("r").await;
    const PROXY: [u8; 4] = [127, 0, 0, 1];
    const OTHER: [u8; 4] = [127, 0, 0, 2];
    let xff = |client: &'static str| [("X-Forwarded-For", client)];

    // Through the proxy: one socket per forwarded client.
    let _a = ws_from(floor.addr, PROXY, &xff("198.51.100.1, 203.0.113.5"))
        .await
        .unwrap();
    assert_eq!(
        ws_from(floor.addr, PROXY, &xff("203.0.113.5")).await.err(),
        Some(429),
        "the same client again"
    );
    let forwarded = [("Forwarded", r#"for="[2001:db8::7]:4711""#)];
    let _b = ws_from(floor.addr, PROXY, &forwarded).await.unwrap();
    let _c = ws_from(floor.addr, PROXY, &xff("203.0.113.6"))
        .await
        .unwrap();

    // From an untrusted peer the headers are ignored: it is one address,
    // whatever it claims.
    let _d = ws_from(floor.addr, OTHER, &xff("203.0.113.7"))
        .await
        .unwrap();
    assert_eq!(
        ws_from(floor.addr, OTHER, &xff("203.0.113.8")).await.err(),
        Some(429),
        "a spoofed header changes nothing"
    );

    // Failed guesses are counted by the forwarded address too: one
    // client's burst spent, its next guess waits, another's does not.
    let from = |client| [("X-Forwarded-For", client)];
    for i in 0..FAILURE_BURST {
        let took = guess(floor.addr, tokens.clone(), PROXY, &from("192.0.2.1"), i).await;
        assert!(at_once(took), "{took:?}");
    }
    let (first, second) = (from("192.0.2.1"), from("192.0.2.2"));
    let (spent, fresh) = tokio::join!(
        guess(floor.addr, tokens.clone(), PROXY, &first, 99),
        guess(floor.addr, tokens.clone(), PROXY, &second, 99),
    );
    assert!(late(spent), "{spent:?}");
    assert!(at_once(fresh), "{fresh:?}");

    // The proxy's plain HTTP connections are not capped (its clients are
    // counted by forwarded address); another peer's are.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(keep_alive(&floor, PROXY).await);
    }
    let _other = keep_alive(&floor, OTHER).await;
    assert!(
        refused_connection(&floor, OTHER)
            .await
            .starts_with("HTTP/1.1 429")
    );
}

/// A kept-alive HTTP connection from `from` that has been answered once
/// (so the broker counts it).
async fn keep_alive(floor: &Floor, from: [u8; 4]) -> TcpStream {
    let mut stream = tcp_from(from, floor.addr).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: floor\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = vec![0u8; 4096];
    let n = tokio::time::timeout(DEADLINE, stream.read(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&buffer[..n]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    stream
}

/// What the broker writes on a new connection from `from` before the
/// client says anything (a refused connection's answer).
async fn refused_connection(floor: &Floor, from: [u8; 4]) -> String {
    let mut stream = tcp_from(from, floor.addr).await;
    let mut answer = String::new();
    tokio::time::timeout(DEADLINE, stream.read_to_string(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    answer
}

#[tokio::test]
async fn plain_http_connections_are_capped_per_address_and_a_stalled_body_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(
        &dir.path().join("data"),
        &["--max-http-connections-per-address", "3"],
    );

    // A body that stalls, on each unauthenticated POST route: the broker
    // gives up on it and closes the connection.
    let started = Instant::now();
    let stalled: Vec<_> = ["/api/chat/parse", "/api/programme/parse", "/api/programme/format", "/qr.svg"]
        .into_iter()
        .map(|path| {
            let addr = floor.addr;
            tokio::spawn(async move {
                let mut stream = tcp_from([127, 0, 0, 3], addr).await;
                let head = format!(
                    "POST {path} HTTP/1.1\r\nHost: floor\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nsome"
                );
                stream.write_all(head.as_bytes()).await.unwrap();
                let mut answer = Vec::new();
                tokio::time::timeout(DEADLINE * 2, stream.read_to_end(&mut answer))
                    .await
                    .expect("closed by the broker")
                    .ok();
                String::from_utf8_lossy(&answer).into_owned()
            })
        })
        .collect();
    // Meanwhile, the cap: three connections from one address, and the
    // fourth is refused with a 429 before a byte of it is read.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(keep_alive(&floor, [127, 0, 0, 1]).await);
    }
    let answer = refused_connection(&floor, [127, 0, 0, 1]).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["error"], "too_many_connections");
    // Another address still gets through.
    let (status, _) = http_from(&floor, [127, 0, 0, 2], &get("/healthz", "")).await;
    assert_eq!(status, 200);
    // Once one closes, the address may connect again.
    drop(held.pop());
    let deadline = Instant::now() + DEADLINE;
    loop {
        let (status, _) = http_from(&floor, [127, 0, 0, 1], &get("/healthz", "")).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still refused");
        tokio::task::yield_now().await;
    }

    for stalled in stalled {
        let answer = stalled.await.unwrap();
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
            "{answer}"
        );
    }
    let took = started.elapsed();
    assert!(
        took >= floor_broker::limits::REQUEST_BODY_TIMEOUT - Duration::from_millis(100)
            && took < floor_broker::limits::REQUEST_TIMEOUT + Duration::from_secs(5),
        "{took:?}"
    );
    // The broker still serves.
    let (status, _) = http_from(&floor, [127, 0, 0, 3], &get("/healthz", "")).await;
    assert_eq!(status, 200);
}
