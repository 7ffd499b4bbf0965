//! Who a room's events and views are served to. The staff (chair, online
//! moderator, mic runner) get them whole. The public links (the
//! participants' and the projector's, whose link is shown to the room) get
//! the same, without the accounts people were entered with
//! (`person.person_id`: a registration number, a Matrix user id), which
//! only the staff need to tell people apart.

use std::borrow::Cow;

use floor_protocol::Role;
use serde_json::Value;

/// The key the public forms leave out, wherever it stands.
const ACCOUNT: &str = "person_id";
/// That key as it stands in JSON text.
const ACCOUNT_KEY: &str = "\"person_id\"";

/// Who a connection or a request is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The chair, the online moderator and the mic runner: everything.
    Staff,
    /// The participants and the displays: no `person_id`.
    Public,
}

impl Audience {
    /// The audience a role's link is served as.
    pub fn of(role: Role) -> Audience {
        match role {
            Role::Chair | Role::Moderator | Role::Runner => Audience::Staff,
            Role::Participant | Role::Display => Audience::Public,
        }
    }
}

/// The public form of a served message's text (an event, or a whole
/// server message): the same text when it names no account, else the
/// text without any `person_id` field. A text that does not decode as
/// JSON is served as nothing at all (an empty object), never as it is.
pub fn public_text(served: &str) -> Cow<'_, str> {
    // Only a structural `"person_id"` key can be one: inside a JSON string
    // every quote is escaped, so a name or a question cannot hold it.
    if !served.contains(ACCOUNT_KEY) {
        return Cow::Borrowed(served);
    }
    let Ok(mut value) = serde_json::from_str::<Value>(served) else {
        return Cow::Borrowed("{}");
    };
    strip(&mut value);
    Cow::Owned(value.to_string())
}

/// Leaves every `person_id` field out of `value`, at any depth.
pub fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove(ACCOUNT);
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_accounts_and_public_links_do_not() {
        assert_eq!(Audience::of(Role::Chair), Audience::Staff);
        assert_eq!(Audience::of(Role::Moderator), Audience::Staff);
        assert_eq!(Audience::of(Role::Runner), Audience::Staff);
        assert_eq!(Audience::of(Role::Participant), Audience::Public);
        assert_eq!(Audience::of(Role::Display), Audience::Public);
    }

    #[test]
    fn an_account_is_left_out_at_any_depth_and_nothing_else_changes() {
        let event = r#"{"seq":3,"type":"entry_submitted","entry":{"id":"e","person":{"name":"Amina \"person_id\"","person_id":"@amina:example.org"},"text":"person_id"}}"#;
        let public: Value = serde_json::from_str(&public_text(event)).unwrap_or_default();
        assert_eq!(public["entry"]["person"].get(ACCOUNT), None);
        assert_eq!(public["entry"]["person"]["name"], "Amina \"person_id\"");
        assert_eq!(public["entry"]["text"], "person_id");
        assert_eq!(public["seq"], 3);

        let view =
            r#"{"entries":[{"person":{"name":"A","person_id":"reg-1"}},{"person":{"name":"B"}}]}"#;
        assert!(!public_text(view).contains("reg-1"));
    }

    #[test]
    fn a_text_without_an_account_is_served_as_it_is() {
        assert_eq!(ACCOUNT_KEY, format!("\"{ACCOUNT}\""));
        let event = r#"{"seq":4,"type":"queue_opened","note":"a \"person_id\" said"}"#;
        assert!(matches!(public_text(event), Cow::Borrowed(text) if text == event));
    }

    #[test]
    fn a_text_that_does_not_decode_is_not_served_to_the_public() {
        assert_eq!(public_text(r#"{"person_id":"x""#), "{}");
    }
}
