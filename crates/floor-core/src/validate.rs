//! Field checks and normalisation of client input.
//!
//! Every free-text field is trimmed; single-line fields refuse control
//! characters and multi-line ones refuse all but newline and tab. Lengths
//! are counted in characters after trimming (limits in
//! [`floor_protocol::limits`]). An optional field that is blank after
//! trimming counts as absent. The events carry the normalised values, so
//! the log holds exactly what the room holds.

use floor_protocol::limits::{
    AFFILIATION_MAX, INTAKE_WINDOW_MAX_S, LANGUAGE_MAX, LOCATION_MAX, NAME_MAX, PERSON_ID_MAX,
    PHASE_MINUTES_MAX, PHASE_TITLE_MAX, PHASES_MAX, PRESENTER_MINUTES_MAX, PRESENTERS_MAX,
    REASON_MAX, REQUEST_ID_MAX, SPEAKING_LIMIT_MAX_S, TEXT_MAX, TIME_ZONE_MAX, WEIGHT_MAX,
};
use floor_protocol::{EntryDraft, EntryPatch, Person, Phase, Policy, Programme, SettingsPatch};

use crate::error::CommandError;

/// Whether a field may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

/// A required text field: trimmed, 1 to `max` characters.
fn required(field: &str, value: &str, max: usize, lines: Lines) -> Result<String, CommandError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CommandError::invalid(field, "must not be empty"));
    }
    checked(field, value, max, lines).map(str::to_owned)
}

/// An optional text field: trimmed; blank becomes absent.
fn optional(
    field: &str,
    value: Option<&str>,
    max: usize,
    lines: Lines,
) -> Result<Option<String>, CommandError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => checked(field, value, max, lines).map(|v| Some(v.to_owned())),
    }
}

fn checked<'a>(
    field: &str,
    value: &'a str,
    max: usize,
    lines: Lines,
) -> Result<&'a str, CommandError> {
    let count = value.chars().count();
    if count > max {
        return Err(CommandError::invalid(
            field,
            format!("is {count} characters long; the limit is {max}"),
        ));
    }
    let bad = value
        .chars()
        .find(|&c| c.is_control() && !(lines == Lines::Many && (c == '\n' || c == '\t')));
    if let Some(c) = bad {
        return Err(CommandError::invalid(
            field,
            format!("contains the control character U+{:04X}", u32::from(c)),
        ));
    }
    Ok(value)
}

fn language(field: &str, value: Option<&str>) -> Result<Option<String>, CommandError> {
    let Some(tag) = optional(field, value, LANGUAGE_MAX, Lines::One)? else {
        return Ok(None);
    };
    match oxilangtag::LanguageTag::parse(tag.as_str()) {
        Ok(_) => Ok(Some(tag)),
        Err(e) => Err(CommandError::invalid(
            field,
            format!("is not a BCP 47 language tag ({e})"),
        )),
    }
}

/// Checks a request id: 1 to 64 characters, no control characters.
pub fn request_id(value: &str) -> Result<(), CommandError> {
    if value.is_empty() || value.trim() != value {
        return Err(CommandError::invalid(
            "request_id",
            "must be 1 to 64 characters without surrounding spaces",
        ));
    }
    checked("request_id", value, REQUEST_ID_MAX, Lines::One).map(drop)
}

/// Checks and normalises a person.
pub fn person(field: &str, person: &Person) -> Result<Person, CommandError> {
    Ok(Person {
        name: required(&format!("{field}.name"), &person.name, NAME_MAX, Lines::One)?,
        affiliation: optional(
            &format!("{field}.affiliation"),
            person.affiliation.as_deref(),
            AFFILIATION_MAX,
            Lines::One,
        )?,
        stakeholder_group: person.stakeholder_group,
        region: person.region,
        person_id: optional(
            &format!("{field}.person_id"),
            person.person_id.as_deref(),
            PERSON_ID_MAX,
            Lines::One,
        )?,
    })
}

/// Checks and normalises a new entry. The delivery is filled in from the
/// channel when absent, and must fit the channel.
pub fn draft(draft: &EntryDraft) -> Result<EntryDraft, CommandError> {
    let delivery = draft
        .delivery
        .unwrap_or(floor_protocol::Delivery::default_for(draft.channel));
    if !delivery.fits(draft.channel) {
        return Err(CommandError::invalid(
            "entry.delivery",
            format!("does not fit an {} entry", draft.channel.as_str()),
        ));
    }
    Ok(EntryDraft {
        channel: draft.channel,
        kind: draft.kind,
        person: person("entry.person", &draft.person)?,
        text: optional("entry.text", draft.text.as_deref(), TEXT_MAX, Lines::Many)?,
        location: optional(
            "entry.location",
            draft.location.as_deref(),
            LOCATION_MAX,
            Lines::One,
        )?,
        language: language("entry.language", draft.language.as_deref())?,
        delivery: Some(delivery),
        gender: draft.gender,
        source: draft.source,
    })
}

/// Checks and normalises an entry patch. Clearing an optional field is
/// `Some(None)`; a blank value also clears it.
pub fn patch(patch: &EntryPatch) -> Result<EntryPatch, CommandError> {
    if patch.is_empty() {
        return Err(CommandError::invalid("patch", "changes nothing"));
    }
    let clearable = |field: &str, value: &Option<Option<String>>, max, lines| {
        value
            .as_ref()
            .map(|v| optional(field, v.as_deref(), max, lines))
            .transpose()
    };
    Ok(EntryPatch {
        kind: patch.kind,
        name: patch
            .name
            .as_deref()
            .map(|n| required("patch.name", n, NAME_MAX, Lines::One))
            .transpose()?,
        affiliation: clearable(
            "patch.affiliation",
            &patch.affiliation,
            AFFILIATION_MAX,
            Lines::One,
        )?,
        stakeholder_group: patch.stakeholder_group,
        region: patch.region,
        text: clearable("patch.text", &patch.text, TEXT_MAX, Lines::Many)?,
        location: clearable("patch.location", &patch.location, LOCATION_MAX, Lines::One)?,
        language: patch
            .language
            .as_ref()
            .map(|v| language("patch.language", v.as_deref()))
            .transpose()?,
        delivery: patch.delivery,
    })
}

/// Checks a rejection reason.
pub fn reason(value: Option<&str>) -> Result<Option<String>, CommandError> {
    optional("reason", value, REASON_MAX, Lines::Many)
}

/// Checks a settings patch.
pub fn settings(patch: &SettingsPatch) -> Result<(), CommandError> {
    if patch == &SettingsPatch::default() {
        return Err(CommandError::invalid("patch", "changes nothing"));
    }
    if let Some(Policy::Weighted { onsite, online }) = patch.policy {
        for (field, weight) in [
            ("patch.policy.onsite", onsite),
            ("patch.policy.online", online),
        ] {
            if !(1..=WEIGHT_MAX).contains(&weight) {
                return Err(CommandError::invalid(
                    field,
                    format!("must be an integer from 1 to {WEIGHT_MAX}"),
                ));
            }
        }
    }
    if let Some(limit) = patch.speaking_limit_s
        && !(1..=SPEAKING_LIMIT_MAX_S).contains(&limit)
    {
        return Err(CommandError::invalid(
            "patch.speaking_limit_s",
            format!("must be from 1 to {SPEAKING_LIMIT_MAX_S} seconds"),
        ));
    }
    if patch
        .intake_window_s
        .is_some_and(|w| w > INTAKE_WINDOW_MAX_S)
    {
        return Err(CommandError::invalid(
            "patch.intake_window_s",
            format!("must be from 0 to {INTAKE_WINDOW_MAX_S} seconds"),
        ));
    }
    Ok(())
}

/// Checks and normalises a run of show.
pub fn programme(programme: &Programme) -> Result<Programme, CommandError> {
    let count = programme.phases.len();
    if count == 0 || count > PHASES_MAX {
        return Err(CommandError::invalid(
            "programme.phases",
            format!("has {count} phases; a run of show has 1 to {PHASES_MAX}"),
        ));
    }
    let phases = programme
        .phases
        .iter()
        .enumerate()
        .map(|(i, phase)| {
            let field = format!("programme.phases[{i}]");
            if !(1..=PHASE_MINUTES_MAX).contains(&phase.minutes) {
                return Err(CommandError::invalid(
                    format!("{field}.minutes"),
                    format!("must be 1 to {PHASE_MINUTES_MAX}"),
                ));
            }
            if phase
                .minutes_each
                .is_some_and(|m| !(1..=PRESENTER_MINUTES_MAX).contains(&m))
            {
                return Err(CommandError::invalid(
                    format!("{field}.minutes_each"),
                    format!("must be 1 to {PRESENTER_MINUTES_MAX}"),
                ));
            }
            if phase.speakers.len() > PRESENTERS_MAX {
                return Err(CommandError::invalid(
                    format!("{field}.speakers"),
                    format!("a phase has at most {PRESENTERS_MAX} speakers"),
                ));
            }
            Ok(Phase {
                title: required(
                    &format!("{field}.title"),
                    &phase.title,
                    PHASE_TITLE_MAX,
                    Lines::One,
                )?,
                kind: phase.kind,
                minutes: phase.minutes,
                speakers: phase
                    .speakers
                    .iter()
                    .enumerate()
                    .map(|(j, p)| person(&format!("{field}.speakers[{j}]"), p))
                    .collect::<Result<_, _>>()?,
                minutes_each: phase.minutes_each,
            })
        })
        .collect::<Result<_, _>>()?;
    let role = |field: &str, who: &Option<floor_protocol::Person>| {
        who.as_ref()
            .map(|p| person(&format!("programme.{field}"), p))
            .transpose()
    };
    Ok(Programme {
        chair: role("chair", &programme.chair)?,
        online_moderator: role("online_moderator", &programme.online_moderator)?,
        rapporteur: role("rapporteur", &programme.rapporteur)?,
        time_zone: programme
            .time_zone
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(time_zone)
            .transpose()?,
        phases,
    })
}

/// Checks a time zone's IANA name (`Europe/Paris`, `UTC`) against the
/// time zone database built into floor-core.
fn time_zone(name: &str) -> Result<String, CommandError> {
    if crate::time_zone::zone(name).is_none() {
        return Err(CommandError::invalid(
            "programme.time_zone",
            format!(
                "{} is not a time zone: give an IANA name such as Europe/Paris or UTC",
                name.chars().take(TIME_ZONE_MAX).collect::<String>()
            ),
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use floor_protocol::{Channel, Delivery};

    fn field_of(result: Result<impl std::fmt::Debug, CommandError>) -> String {
        match result {
            Err(CommandError::InvalidField { field, .. }) => field,
            other => panic!("expected invalid_field, got {other:?}"),
        }
    }

    fn draft_named(name: &str) -> EntryDraft {
        EntryDraft {
            channel: Channel::Onsite,
            kind: Default::default(),
            person: Person::named(name),
            text: None,
            location: None,
            language: None,
            delivery: None,
            gender: None,
            source: None,
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(draft(&draft_named("  Ana ")).unwrap().person.name, "Ana");
        assert_eq!(field_of(draft(&draft_named("   "))), "entry.person.name");
        assert!(draft(&draft_named(&"é".repeat(80))).is_ok());
        assert_eq!(
            field_of(draft(&draft_named(&"é".repeat(81)))),
            "entry.person.name"
        );
        assert_eq!(
            field_of(draft(&draft_named("Ana\u{7}"))),
            "entry.person.name"
        );
    }

    #[test]
    fn text_may_span_lines_but_location_may_not() {
        let mut d = draft_named("Ana");
        d.text = Some("line one\nline two".into());
        assert!(draft(&d).is_ok());
        d.location = Some("row 3\nseat 4".into());
        assert_eq!(field_of(draft(&d)), "entry.location");
    }

    #[test]
    fn language_must_be_bcp47() {
        let mut d = draft_named("Ana");
        d.language = Some("pt-BR".into());
        assert!(draft(&d).is_ok());
        d.language = Some("not a tag".into());
        assert_eq!(field_of(draft(&d)), "entry.language");
    }

    #[test]
    fn delivery_defaults_from_and_must_fit_the_channel() {
        let mut d = draft_named("Ana");
        assert_eq!(draft(&d).unwrap().delivery, Some(Delivery::RoomMic));
        d.delivery = Some(Delivery::ReadAloud);
        assert_eq!(field_of(draft(&d)), "entry.delivery");
    }

    #[test]
    fn empty_patches_and_bad_settings_are_refused() {
        assert_eq!(field_of(patch(&EntryPatch::default())), "patch");
        let bad = SettingsPatch {
            policy: Some(Policy::Weighted {
                onsite: 0,
                online: 1,
            }),
            ..Default::default()
        };
        assert_eq!(field_of(settings(&bad)), "patch.policy.onsite");
        let bad = SettingsPatch {
            speaking_limit_s: Some(0),
            ..Default::default()
        };
        assert_eq!(field_of(settings(&bad)), "patch.speaking_limit_s");
    }

    #[test]
    fn request_ids_are_bounded() {
        assert!(request_id("r-1").is_ok());
        assert!(request_id("").is_err());
        assert!(request_id(&"x".repeat(65)).is_err());
    }
}
