//! The demo room's secret: 32 random bytes in a file of the data
//! directory, from which the demo room's role tokens are derived, so that
//! `floor serve --demo` prints the same links at every start.
//!
//! Every other room keeps only its tokens' hashes. This file is the one
//! place where the broker can mint tokens again: whoever reads it can open
//! the demo room as any role. The demo is for trying floor, not for a real
//! session (SECURITY.md, "Tokens").
//!
//! The file is created whole or not at all (written to a temporary file of
//! mode 0600 beside it, synced, then linked to its name only if no file
//! holds it), and it is refused when anyone but its owner may read or
//! write it, or when it is not 64 lowercase hex characters.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use floor_protocol::Role;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The secret's file name, in the data directory.
pub const FILE_NAME: &str = "demo-secret";

/// Why the demo secret could not be read or created.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The file could not be read, created or written.
    #[error("cannot use the demo secret {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// Someone besides its owner may read or write the file.
    #[error(
        "the demo secret {} has mode {mode:04o}: anyone who reads it can open the demo room as any role, so only its owner may read it (chmod 600 {})",
        path.display(),
        path.display()
    )]
    Mode {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold a secret.
    #[error(
        "{} is not a demo secret ({problem}); delete it to issue new demo links (every old one stops working)",
        path.display()
    )]
    Content {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// The demo room's secret.
pub struct DemoSecret {
    key: [u8; 32],
    path: PathBuf,
}

impl std::fmt::Debug for DemoSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSecret")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A secret read, or created because none was there.
#[derive(Debug)]
pub struct Opened {
    /// The secret.
    pub secret: DemoSecret,
    /// Whether this start created it.
    pub created: bool,
}

impl DemoSecret {
    /// Reads the secret in `data` (the data directory), or creates it when
    /// no file has its name.
    pub fn open_or_create(data: &Path) -> Result<Opened, SecretError> {
        let path = data.join(FILE_NAME);
        let io_error = |source| SecretError::Io {
            path: path.clone(),
            source,
        };
        match DemoSecret::read(&path) {
            Err(SecretError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
            read => {
                return read.map(|secret| Opened {
                    secret,
                    created: false,
                });
            }
        }
        std::fs::create_dir_all(data).map_err(io_error)?;
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        let mut file = temporary(data).map_err(io_error)?;
        writeln!(file, "{}", hex::encode(key)).map_err(io_error)?;
        file.as_file().sync_all().map_err(io_error)?;
        match file.persist_noclobber(&path) {
            Ok(_) => {}
            // Another broker of the same directory created it meanwhile:
            // its secret is the one.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                return DemoSecret::read(&path).map(|secret| Opened {
                    secret,
                    created: false,
                });
            }
            Err(e) => return Err(io_error(e.error)),
        }
        // The new name reaches the disk, so a power cut cannot take the
        // secret back after its links were printed.
        std::fs::File::open(data)
            .and_then(|dir| dir.sync_all())
            .map_err(io_error)?;
        Ok(Opened {
            secret: DemoSecret { key, path },
            created: true,
        })
    }

    /// Reads and checks the secret at `path`.
    fn read(path: &Path) -> Result<DemoSecret, SecretError> {
        let io_error = |source| SecretError::Io {
            path: path.to_owned(),
            source,
        };
        let content = |problem| SecretError::Content {
            path: path.to_owned(),
            problem,
        };
        let meta = std::fs::symlink_metadata(path).map_err(io_error)?;
        if !meta.is_file() {
            return Err(content("not a regular file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(SecretError::Mode {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        let text = std::fs::read(path).map_err(io_error)?;
        let text = text.strip_suffix(b"\n").unwrap_or(&text);
        if text.len() != 64 || !text.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(content("it must hold 64 lowercase hex characters"));
        }
        let mut key = [0u8; 32];
        hex::decode_to_slice(text, &mut key).map_err(|_| content("not hex"))?;
        Ok(DemoSecret {
            key,
            path: path.to_owned(),
        })
    }

    /// Where the secret is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The token of `role` in room `room`: the first 16 bytes of
    /// HMAC-SHA-256 keyed with the secret over
    /// `floor demo token v1`, the room id and the role, each ended by a
    /// zero byte, in hex: 32 characters, like every other token.
    pub fn token(&self, room: &str, role: Role) -> String {
        // HMAC pads a key shorter than SHA-256's 64-byte block with zeros;
        // padded here, the key has the type `KeyInit::new` takes.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.key);
        let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
        for part in ["floor demo token v1", room, role.as_str()] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// A temporary file of mode 0600 in `dir`, removed unless persisted.
fn temporary(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".demo-secret.");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    builder.tempfile_in(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_created_once_and_gives_the_same_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let first = DemoSecret::open_or_create(dir.path()).unwrap();
        assert!(first.created);
        let again = DemoSecret::open_or_create(dir.path()).unwrap();
        assert!(!again.created);
        let chair = first.secret.token("ws235", Role::Chair);
        assert_eq!(chair, again.secret.token("ws235", Role::Chair));
        assert_eq!(chair.len(), 32);
        assert_ne!(chair, first.secret.token("ws235", Role::Display));
        assert_ne!(chair, first.secret.token("other", Role::Chair));
    }

    #[test]
    fn the_padded_key_is_hmac_of_the_secret_itself() {
        let dir = tempfile::tempdir().unwrap();
        let secret = DemoSecret::open_or_create(dir.path()).unwrap().secret;
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret.key).unwrap();
        mac.update(b"floor demo token v1\0ws235\0runner\0");
        let expected = hex::encode(&mac.finalize().into_bytes()[..16]);
        assert_eq!(secret.token("ws235", Role::Runner), expected);
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        DemoSecret::open_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = DemoSecret::open_or_create(dir.path()).unwrap_err();
        assert!(
            matches!(error, SecretError::Mode { mode: 0o644, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("chmod 600"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_that_is_not_a_secret_is_refused_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        for text in ["", "abc\n", &"G".repeat(64), &"A".repeat(64)] {
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            let error = DemoSecret::open_or_create(dir.path()).unwrap_err();
            assert!(matches!(error, SecretError::Content { .. }), "{error}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }
}
