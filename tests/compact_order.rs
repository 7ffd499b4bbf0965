//! The compact `order` (protocol section 9.4): a client that asks for it
//! in its `hello` gets, after each commit, the slots the previous order
//! held as their index there, and expands them to exactly the order a
//! client that did not ask receives; a resume or a `hello` at the head
//! gets every slot written out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use serde_json::{Value, json};

/// Reads until the `order` at `seq`; returns its text as received.
async fn order_at(client: &mut Client, seq: u64) -> Value {
    loop {
        let message = client.next().await;
        if message["type"] == "order" && message["seq"].as_u64() == Some(seq) {
            return message;
        }
    }
}

fn compact_hello(tokens: &Tokens, client_id: &str) -> Value {
    let mut hello = tokens.hello("display", client_id);
    hello["compact_order"] = json!(true);
    hello
}

fn written_out(order: &Value) -> bool {
    order["order"]
        .as_array()
        .unwrap()
        .iter()
        .all(Value::is_object)
}

#[tokio::test]
async fn a_compact_order_stands_for_the_full_one_and_costs_a_fraction() {
    let dir = tempfile::tempdir().unwrap();
    // Sixty hands at once: more than one connection's default rate.
    let floor = Floor::start_with(&dir.path().join("data"), &["--commands-per-second", "1000"]);
    let tokens = floor.create_room("ws235").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner")).await;
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair")).await;
    for i in 0..60 {
        acked(
            runner
                .command(&format!("s{i}"), submit("onsite", &format!("Hand {i}")))
                .await,
        );
    }
    let mut full = Client::connect(&floor, tokens.hello("display", "full")).await;
    let mut compact = Client::connect(&floor, compact_hello(&tokens, "compact")).await;
    assert_eq!(compact.welcome["compact_order"], true);
    assert!(full.welcome.get("compact_order").is_none());
    assert_eq!(full.order.as_array().unwrap().len(), 50);

    let pin = full.order[30]["entry_id"].clone();
    let edit = full.order[3]["entry_id"].clone();
    let commands = [
        json!({"type": "next"}),
        json!({"type": "pin", "entry_id": pin}),
        json!({"type": "edit", "entry_id": edit, "patch": {"text": "Reworded"}}),
        submit("online", "Mei Lin Tan"),
        json!({"type": "unpin", "entry_id": pin}),
        json!({"type": "next"}),
    ];
    let (mut full_bytes, mut compact_bytes) = (0, 0);
    for (i, command) in commands.into_iter().enumerate() {
        let ack = acked(chair.command(&format!("c{i}"), command).await);
        let seq = ack["last_seq"].as_u64().unwrap();
        let a = order_at(&mut full, seq).await;
        let b = order_at(&mut compact, seq).await;
        assert!(
            written_out(&a),
            "a client that did not ask gets every slot: {a}"
        );
        assert_eq!(compact.order, full.order, "after command {i}");
        assert_eq!(full.order, floor.snapshot(&tokens).await["order"]);
        full_bytes += a.to_string().len();
        compact_bytes += b.to_string().len();
    }
    // Mostly unchanged slots: a small part of the bytes.
    assert!(
        compact_bytes * 5 < full_bytes,
        "compact {compact_bytes} B, full {full_bytes} B"
    );

    // A resume, behind and at the head, ends with every slot written out.
    let epoch = compact.welcome["epoch"].clone();
    for (seq, client_id) in [(compact.seq - 3, "behind"), (compact.seq, "at-head")] {
        let mut hello = compact_hello(&tokens, client_id);
        hello["resume"] = json!({"epoch": epoch, "seq": seq});
        let back = Client::connect(&floor, hello).await;
        assert_eq!(back.caught_up["type"], "order");
        assert!(written_out(&back.caught_up), "{}", back.caught_up);
        assert_eq!(back.order, full.order);
    }
}
