//! How a person is identified across entries: for the one-open-entry rule
//! and for "has this person spoken yet?".

use floor_protocol::Person;
use unicode_normalization::UnicodeNormalization;

/// A person's identity within a room.
///
/// With a client-supplied `person_id` it is that id; otherwise it is the
/// name and affiliation, NFKC-normalised, lowercased and with runs of
/// whitespace collapsed, so "Ana  Silva" and "ana silva" are one person.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct PersonKey(String);

impl PersonKey {
    /// The key of `person`.
    pub fn of(person: &Person) -> PersonKey {
        match person.person_id.as_deref() {
            Some(id) => PersonKey(format!("id:{}", id.trim())),
            None => PersonKey(format!(
                "name:{}|{}",
                normalise(&person.name),
                normalise(person.affiliation.as_deref().unwrap_or(""))
            )),
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn normalise(text: &str) -> String {
    let folded: String = text.nfkc().flat_map(char::to_lowercase).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, affiliation: Option<&str>) -> PersonKey {
        let mut person = Person::named(name);
        person.affiliation = affiliation.map(str::to_owned);
        PersonKey::of(&person)
    }

    #[test]
    fn case_width_and_spacing_do_not_split_a_person() {
        assert_eq!(key("Ana  Silva", None), key(" ana silva", None));
        assert_eq!(
            key("ＡＮＡ Silva", Some("ITU")),
            key("ana silva", Some("itu"))
        );
    }

    #[test]
    fn affiliation_and_person_id_distinguish_people() {
        assert_ne!(
            key("Ana Silva", Some("ITU")),
            key("Ana Silva", Some("ISOC"))
        );
        let mut with_id = Person::named("Ana Silva");
        with_id.person_id = Some("reg-17".into());
        assert_ne!(PersonKey::of(&with_id), key("Ana Silva", None));
    }
}
