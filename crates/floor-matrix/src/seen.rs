//! A Matrix timeline event as the bridge reads it, from its JSON: only the
//! few fields of the client-server specification it needs, so that a new
//! kind of event, or one it cannot read, is passed over rather than fatal.

use serde_json::Value;

/// A timeline event, reduced to what the bridge acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A text message (`m.room.message`), not an edit.
    Message {
        /// Its event id.
        event_id: String,
        /// Its sender.
        sender: String,
        /// Its plain-text body.
        body: String,
        /// The thread it belongs to, if any.
        thread: Option<String>,
    },
    /// A reaction (`m.reaction`, an annotation).
    Reaction {
        /// Its event id.
        event_id: String,
        /// Its sender.
        sender: String,
        /// The event reacted to.
        target: String,
        /// The reaction's key (an emoji).
        key: String,
    },
    /// A redaction (`m.room.redaction`): a reaction removed, a message
    /// deleted.
    Redaction {
        /// Its event id.
        event_id: String,
        /// Its sender.
        sender: String,
        /// The event redacted.
        redacts: String,
    },
    /// The room turned on end-to-end encryption (`m.room.encryption`), or
    /// an encrypted event the bridge cannot read.
    Encrypted,
    /// Anything else.
    Other,
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Reads one event of a room's timeline.
pub fn read(event: &Value) -> Seen {
    let (Some(kind), Some(event_id), Some(sender)) = (
        event.get("type").and_then(Value::as_str),
        text(event, "event_id"),
        text(event, "sender"),
    ) else {
        return Seen::Other;
    };
    let content = event.get("content").unwrap_or(&Value::Null);
    let relation = content.get("m.relates_to").unwrap_or(&Value::Null);
    let rel_type = relation.get("rel_type").and_then(Value::as_str);
    match kind {
        "m.room.message" => {
            if rel_type == Some("m.replace") {
                return Seen::Other;
            }
            let Some(body) = text(content, "body") else {
                return Seen::Other;
            };
            let thread = (rel_type == Some("m.thread"))
                .then(|| text(relation, "event_id"))
                .flatten();
            Seen::Message {
                event_id,
                sender,
                body,
                thread,
            }
        }
        "m.reaction" => match (rel_type, text(relation, "event_id"), text(relation, "key")) {
            (Some("m.annotation"), Some(target), Some(key)) => Seen::Reaction {
                event_id,
                sender,
                target,
                key,
            },
            _ => Seen::Other,
        },
        "m.room.redaction" => {
            // Room version 11 moved `redacts` into the content.
            match text(content, "redacts").or_else(|| text(event, "redacts")) {
                Some(redacts) => Seen::Redaction {
                    event_id,
                    sender,
                    redacts,
                },
                None => Seen::Other,
            }
        }
        "m.room.encryption" | "m.room.encrypted" => Seen::Encrypted,
        _ => Seen::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_reactions_and_redactions() {
        let message = json!({"type": "m.room.message", "event_id": "$m", "sender": "@a:x",
            "content": {"msgtype": "m.text", "body": "!hand Why?"}});
        assert_eq!(
            read(&message),
            Seen::Message {
                event_id: "$m".into(),
                sender: "@a:x".into(),
                body: "!hand Why?".into(),
                thread: None
            }
        );
        let in_thread = json!({"type": "m.room.message", "event_id": "$t", "sender": "@a:x",
            "content": {"msgtype": "m.text", "body": "!lower",
                "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}});
        assert!(matches!(read(&in_thread), Seen::Message { thread: Some(t), .. } if t == "$root"));
        let edit = json!({"type": "m.room.message", "event_id": "$e", "sender": "@a:x",
            "content": {"body": "* !hand", "m.relates_to": {"rel_type": "m.replace", "event_id": "$m"}}});
        assert_eq!(read(&edit), Seen::Other);
        let reaction = json!({"type": "m.reaction", "event_id": "$r", "sender": "@a:x",
            "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$pin", "key": "✋"}}});
        assert!(
            matches!(read(&reaction), Seen::Reaction { key, target, .. } if key == "✋" && target == "$pin")
        );
        let old = json!({"type": "m.room.redaction", "event_id": "$d", "sender": "@a:x",
            "redacts": "$r", "content": {}});
        let v11 = json!({"type": "m.room.redaction", "event_id": "$d", "sender": "@a:x",
            "content": {"redacts": "$r"}});
        for redaction in [old, v11] {
            assert!(matches!(read(&redaction), Seen::Redaction { redacts, .. } if redacts == "$r"));
        }
        assert_eq!(
            read(
                &json!({"type": "m.room.encrypted", "event_id": "$x", "sender": "@a:x", "content": {}})
            ),
            Seen::Encrypted
        );
        assert_eq!(read(&json!({"type": "m.room.message"})), Seen::Other);
        assert_eq!(read(&json!("nonsense")), Seen::Other);
    }
}
