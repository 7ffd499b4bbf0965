//! The languages of the report's human forms (Markdown and HTML) and of
//! what the Matrix bridge says in its room: the six UN languages, each a
//! pair of Fluent files built into the binary (`locales/{lang}/report.ftl`,
//! `locales/{lang}/bridge.ftl`). Plurals follow CLDR's rules through
//! Fluent's selectors; the report's JSON and CSV forms hold no translated
//! text.
//!
//! A [`Texts`] formats the messages of one language for one form. People's
//! names and other user content are isolated from the sentence around
//! them, so that a name written right to left cannot reorder an English
//! sentence, nor a Latin name an Arabic one: in Markdown between the
//! marks U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE;
//! in HTML in `<bdi>`, escaped. Numbers, times and the messages' own
//! words need no isolation, so Fluent's marks around every placeable are
//! left out.

use std::fmt;
use std::str::FromStr;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// A message argument's value: a number (plurals select on it) or text.
pub use fluent_bundle::FluentValue;
use unic_langid::LanguageIdentifier;

/// A language of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Arabic, written right to left.
    Ar,
    /// Chinese (simplified).
    Zh,
    /// English, the default.
    #[default]
    En,
    /// French.
    Fr,
    /// Russian.
    Ru,
    /// Spanish.
    Es,
}

/// A language the report does not speak.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: the report is in ar, zh, en, fr, ru or es")]
pub struct UnknownLang(pub String);

/// Why a message could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// No message has this id, or it has no value.
    #[error("no message {0:?}")]
    Missing(String),
    /// The message formatted with errors (an unknown variable...).
    #[error("message {id:?}: {errors}")]
    Format {
        /// The message's id.
        id: String,
        /// What went wrong, in Fluent's words.
        errors: String,
    },
}

impl Lang {
    /// Every language, in the UN's order.
    pub const ALL: [Lang; 6] = [Lang::Ar, Lang::Zh, Lang::En, Lang::Fr, Lang::Ru, Lang::Es];

    /// Its code: `ar`, `zh`, `en`, `fr`, `ru`, `es`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Zh => "zh",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ru => "ru",
            Lang::Es => "es",
        }
    }

    /// Its direction of writing, as HTML's `dir` names it.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The Matrix bridge's Fluent file, as built into the binary.
    pub fn bridge_ftl(self) -> &'static str {
        match self {
            Lang::Ar => include_str!("../locales/ar/bridge.ftl"),
            Lang::Zh => include_str!("../locales/zh/bridge.ftl"),
            Lang::En => include_str!("../locales/en/bridge.ftl"),
            Lang::Fr => include_str!("../locales/fr/bridge.ftl"),
            Lang::Ru => include_str!("../locales/ru/bridge.ftl"),
            Lang::Es => include_str!("../locales/es/bridge.ftl"),
        }
    }

    /// The report's Fluent file, as built into the binary.
    pub fn ftl(self) -> &'static str {
        match self {
            Lang::Ar => include_str!("../locales/ar/report.ftl"),
            Lang::Zh => include_str!("../locales/zh/report.ftl"),
            Lang::En => include_str!("../locales/en/report.ftl"),
            Lang::Fr => include_str!("../locales/fr/report.ftl"),
            Lang::Ru => include_str!("../locales/ru/report.ftl"),
            Lang::Es => include_str!("../locales/es/report.ftl"),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(code: &str) -> Result<Lang, UnknownLang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| UnknownLang(code.to_owned()))
    }
}

/// The form a [`Texts`] writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Plain text (Markdown): user content between isolation marks.
    Text,
    /// HTML: user content escaped in `<bdi>`.
    Html,
}

/// The messages of one of the Fluent files (the report's, the bridge's)
/// in one language, for one form.
pub struct Texts {
    lang: Lang,
    form: Form,
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts")
            .field("lang", &self.lang)
            .field("form", &self.form)
            .finish_non_exhaustive()
    }
}

/// The arguments of a message: names and values.
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

impl Texts {
    /// The report's messages in `lang` for `form`.
    pub fn new(lang: Lang, form: Form) -> Texts {
        Texts::from_ftl(lang, form, lang.ftl())
    }

    /// The Matrix bridge's messages in `lang` (plain text).
    pub fn bridge(lang: Lang) -> Texts {
        Texts::from_ftl(lang, Form::Text, lang.bridge_ftl())
    }

    /// The messages of `ftl`, a file of `lang`, for `form`. The files are
    /// built in and checked by the tests; a line Fluent cannot read is
    /// left out.
    fn from_ftl(lang: Lang, form: Form, ftl: &str) -> Texts {
        let resource =
            FluentResource::try_new(ftl.to_owned()).unwrap_or_else(|(resource, _errors)| resource);
        let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        bundle.set_use_isolating(false);
        // NUMBER is the only function; registering it cannot clash.
        let _ = bundle.add_builtins();
        bundle.add_resource_overriding(resource);
        Texts { lang, form, bundle }
    }

    /// Its language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Its form.
    pub fn form(&self) -> Form {
        self.form
    }

    /// Message `id` formatted with `args`, or why it cannot be.
    pub fn try_text(&self, id: &str, args: &Args<'_>) -> Result<String, TextError> {
        let pattern = self
            .bundle
            .get_message(id)
            .and_then(|m| m.value())
            .ok_or_else(|| TextError::Missing(id.to_owned()))?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Err(TextError::Format {
                id: id.to_owned(),
                errors: errors.join("; "),
            });
        }
        Ok(text.into_owned())
    }

    /// Message `id` formatted with `args`; its id in braces if it cannot
    /// be (the tests see that every message can).
    pub fn text(&self, id: &str, args: &Args<'_>) -> String {
        self.try_text(id, args)
            .unwrap_or_else(|_| format!("{{{id}}}"))
    }

    /// Message `id` with no arguments.
    pub fn word(&self, id: &str) -> String {
        self.text(id, &[])
    }

    /// User content (a name, a question's text) as the form shows it:
    /// between isolation marks in text, escaped in `<bdi>` in HTML.
    pub fn user(&self, content: &str) -> String {
        match self.form {
            Form::Text => format!("\u{2068}{content}\u{2069}"),
            Form::Html => format!("<bdi>{}</bdi>", escape(content)),
        }
    }

    /// A number with one decimal, with the language's decimal separator.
    pub fn decimal(&self, value: f64) -> String {
        format!("{value:.1}").replace('.', &self.word("decimal-separator"))
    }

    /// Parts joined by the language's list separator.
    pub fn list(&self, parts: &[String]) -> String {
        parts.join(&self.word("list-separator"))
    }
}

/// Text made safe in HTML.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for lang in Lang::ALL {
            assert_eq!(lang.code().parse::<Lang>(), Ok(lang));
        }
        assert_eq!(
            "de".parse::<Lang>().unwrap_err().to_string(),
            "unknown language \"de\": the report is in ar, zh, en, fr, ru or es"
        );
    }

    #[test]
    fn user_content_is_isolated_in_html() {
        let html = Texts::new(Lang::Ar, Form::Html);
        assert_eq!(html.user("<Ana>"), "<bdi>&lt;Ana&gt;</bdi>");
        let text = Texts::new(Lang::Ar, Form::Text);
        assert_eq!(text.user("<Ana>"), "\u{2068}<Ana>\u{2069}");
    }
}
