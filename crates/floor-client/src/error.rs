//! The client's errors: a link that cannot be read, certificate
//! authorities that cannot be trusted, a connection that cannot be made,
//! and a request that did not take effect.

use floor_protocol::{ErrorCode, ErrorMessage};
use uuid::Uuid;

/// A room link that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The link is not a room link.
    #[error("not a room link: {0}")]
    Malformed(String),
}

/// Certificate authorities that cannot be trusted as given (see
/// [`crate::ConnectOptions::ca_file`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// The PEM file cannot be read.
    #[error("cannot read the CA file {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The text is not valid PEM.
    #[error("the CA file {origin} is not valid PEM: {reason}")]
    Pem {
        /// The file, or what the PEM came from.
        origin: String,
        /// Why.
        reason: String,
    },
    /// The PEM holds no `CERTIFICATE` block.
    #[error("the CA file {origin} holds no certificate (expected -----BEGIN CERTIFICATE-----)")]
    NoCertificate {
        /// The file, or what the PEM came from.
        origin: String,
    },
    /// A certificate cannot serve as a trusted root.
    #[error("the CA file {origin} holds a certificate that cannot be trusted as a root: {reason}")]
    Certificate {
        /// The file, or what the PEM came from.
        origin: String,
        /// Why.
        reason: String,
    },
    /// The TLS configuration cannot be built.
    #[error("cannot configure TLS: {0}")]
    Config(String),
}

/// Why [`crate::Client::connect`] failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectError {
    /// The broker cannot be reached, or the connection broke before the
    /// room's state arrived. Worth retrying.
    #[error("cannot reach the broker at {url}: {reason}")]
    Unreachable {
        /// The WebSocket URL tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The broker refused the `hello` (wrong token, unknown room, protocol
    /// version). Retrying will not help.
    #[error("the broker refused the connection ({code}): {message}")]
    Refused {
        /// The broker's error code.
        code: ErrorCode,
        /// The broker's explanation.
        message: String,
    },
    /// No token was given and the link carried none.
    #[error("no role token: pass one, or use a link that ends in #token=...")]
    NoToken,
    /// The TLS handshake failed on the broker's certificate: it is not
    /// signed by a trusted authority, has expired, or names another host.
    /// Retrying will not help; for a private CA (e.g. Caddy's
    /// `tls internal`), trust its root with
    /// [`crate::ConnectOptions::ca_file`].
    #[error("the certificate of {url} is not trusted: {reason}")]
    Certificate {
        /// The WebSocket URL tried.
        url: String,
        /// What rustls found wrong.
        reason: String,
    },
    /// TLS cannot be set up on the client side.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

impl ConnectError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ConnectError::Unreachable { .. })
    }
}

/// The broker's refusal of a command: nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// The broker's sentence for humans.
    pub message: String,
    /// For `invalid_field`, the offending field.
    pub field: Option<String>,
    /// The entry the refusal is about, when there is one.
    pub entry_id: Option<Uuid>,
}

impl From<ErrorMessage> for Refusal {
    fn from(e: ErrorMessage) -> Self {
        Refusal {
            code: e.code,
            message: e.message,
            field: e.field,
            entry_id: e.entry_id,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        if let Some(entry) = self.entry_id {
            write!(f, " (entry {entry})")?;
        }
        Ok(())
    }
}

/// Why a request did not resolve to an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The broker refused the command; nothing changed.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// No answer within the request timeout. The command may still take
    /// effect if it reached the broker: repeat it with the same request id
    /// to find out.
    #[error("no answer from the broker in time (request {request_id})")]
    TimedOut {
        /// The request id, to repeat the request.
        request_id: String,
    },
    /// The client was closed, or can no longer connect (for example its
    /// token was revoked), before an answer arrived.
    #[error("the connection is closed: {0}")]
    Closed(String),
    /// The command was not sent because it is malformed on the client side.
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl RequestError {
    /// The broker's error code, when the broker refused the command.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            RequestError::Refused(r) => Some(r.code),
            _ => None,
        }
    }
}
