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
