//! Deserializing `Option<Option<T>>` so that an absent field and an explicit
//! `null` differ: absent leaves a value unchanged, `null` clears it.

use serde::{Deserialize, Deserializer};

/// Maps a present field (including `null`) to `Some(...)`; pair with
/// `#[serde(default)]` so that an absent field stays `None`.
pub(crate) fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Whether the field is absent (`None`), to skip it when serializing; a
/// present `null` is written.
pub(crate) fn absent<T>(value: &Option<Option<T>>) -> bool {
    value.is_none()
}
