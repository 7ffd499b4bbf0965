//! A room's role tokens, and the links and `hello` messages made of them.

use serde_json::{Value, json};

use crate::Floor;

/// A room's tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The room id.
    pub room: String,
    by_role: Value,
}

impl Tokens {
    /// A room's tokens from the `tokens` object of the HTTP API's answer.
    pub fn from_body(room: &str, by_role: Value) -> Tokens {
        Tokens {
            room: room.to_owned(),
            by_role,
        }
    }

    /// These tokens with those of `rotated` in place of their roles'.
    pub fn with(&self, rotated: &Tokens) -> Tokens {
        let mut by_role = self.by_role.clone();
        if let (Some(all), Some(fresh)) = (by_role.as_object_mut(), rotated.by_role.as_object()) {
            all.extend(fresh.clone());
        }
        Tokens {
            room: self.room.clone(),
            by_role,
        }
    }

    /// The token of a role.
    pub fn role(&self, role: &str) -> &str {
        self.by_role[role].as_str().expect("a token for the role")
    }

    /// The room link of a role on `floor`, with its token, as the broker
    /// prints it.
    pub fn link(&self, floor: &Floor, role: &str) -> String {
        let page = if role == "participant" { "join" } else { role };
        format!(
            "{}/r/{}/{page}#token={}",
            floor.http_url(),
            self.room,
            self.role(role)
        )
    }

    /// A `hello` for a role.
    pub fn hello(&self, role: &str, client_id: &str) -> Value {
        json!({
            "type": "hello",
            "protocol": 1,
            "room": self.room,
            "token": self.role(role),
            "client_id": client_id,
        })
    }

    /// A participant page's `hello`, declaring its channel.
    pub fn participant(&self, client_id: &str, channel: &str) -> Value {
        let mut hello = self.hello("participant", client_id);
        hello["channel"] = json!(channel);
        hello
    }
}
