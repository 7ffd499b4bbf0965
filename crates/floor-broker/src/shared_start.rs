//! Opening the shared store at start, and settling the admin token there.
//!
//! - A NATS that is not ready yet (no server listening, a cluster still
//!   electing its meta leader, a stream request answered "no responders"
//!   or not at all, too few peers for the replicas) is waited for: each
//!   attempt that fails is logged with its reason and tried again after a
//!   backoff (0.1 s doubling to 2 s), for at most the broker's
//!   `nats_start_wait` in all. Only then does the start fail.
//! - A permanent failure ends the start at once, with its reason: a server
//!   list that does not parse, credentials or TLS refused, a stream
//!   [`STREAM`] configured incompatibly (another stream holds its
//!   subjects, or its name with another configuration), or replicas asked
//!   of a server that is not clustered.
//! - The admin token's hash in the bucket [`META_BUCKET`] is the truth for
//!   every broker sharing the store ([`settle_admin`]).

use std::time::{Duration, Instant};

use async_nats::jetstream::{self, kv, object_store, stream};
use async_nats::{ConnectErrorKind, ServerAddr};

use crate::auth::{self, TokenHash};
use crate::commit::Health;
use crate::shared::{
    CHECKPOINTS_BUCKET, DUPLICATE_WINDOW, META_BUCKET, REQUEST_TIMEOUT, ROOMS_BUCKET, STREAM,
    SharedConfig, SharedError,
};

/// The first pause between two attempts; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest pause between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The `meta` key of the admin token's hash.
pub(crate) const ADMIN_HASH_KEY: &str = "admin_token_sha256";

/// Why one attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// NATS is not ready yet: try again.
    Transient(String),
    /// Trying again would not help.
    Permanent(SharedError),
}

impl From<SharedError> for Failure {
    fn from(error: SharedError) -> Failure {
        Failure::Transient(error.to_string())
    }
}

/// Runs `attempt` until it succeeds, fails for good, or `wait` has passed,
/// logging why at each retry.
pub(crate) async fn retrying<T, F, Fut>(
    wait: Duration,
    what: &str,
    mut attempt: F,
) -> Result<T, SharedError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let started = Instant::now();
    let mut backoff = FIRST_BACKOFF;
    let mut tries = 1u32;
    loop {
        let reason = match attempt().await {
            Ok(value) => return Ok(value),
            Err(Failure::Permanent(error)) => return Err(error),
            Err(Failure::Transient(reason)) => reason,
        };
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(SharedError::NotReady {
                what: what.to_owned(),
                waited_s: started.elapsed().as_secs(),
                reason,
            });
        }
        let pause = backoff.min(left);
        tracing::warn!(
            attempt = tries,
            retry_in_ms = pause.as_millis() as u64,
            reason = %reason,
            "NATS is not ready yet to {what}; trying again"
        );
        tokio::time::sleep(pause).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        tries += 1;
    }
}

/// Connects to one of `servers`, waiting while none answers; keeps
/// reconnecting for ever after, `health` unavailable while disconnected.
pub(crate) async fn connect_client(
    config: &SharedConfig,
    wait: Duration,
    health: &std::sync::Arc<Health>,
) -> Result<async_nats::Client, SharedError> {
    let servers: Vec<ServerAddr> = config
        .servers
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|e: std::io::Error| connect_error(config, e.to_string()))?;
    retrying(wait, "connect", || async {
        let health = health.clone();
        async_nats::ConnectOptions::new()
            .name("floor-broker")
            .max_reconnects(None)
            .connection_timeout(Duration::from_secs(5))
            .event_callback(move |event| {
                let health = health.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            tracing::info!("connected to NATS");
                            health.set_available(true);
                        }
                        async_nats::Event::Disconnected => {
                            tracing::warn!("disconnected from NATS; writes wait until it is back");
                            health.refuse("disconnected from NATS");
                        }
                        other => tracing::info!(event = %other, "NATS"),
                    }
                }
            })
            .connect(servers.clone())
            .await
            .map_err(|error| match error.kind() {
                ConnectErrorKind::ServerParse
                | ConnectErrorKind::Authentication
                | ConnectErrorKind::AuthorizationViolation
                | ConnectErrorKind::Tls => {
                    Failure::Permanent(connect_error(config, error.to_string()))
                }
                _ => Failure::Transient(format!("cannot connect to {}: {error}", config.servers)),
            })
    })
    .await
}

fn connect_error(config: &SharedConfig, message: String) -> SharedError {
    SharedError::Connect {
        servers: config.servers.clone(),
        message,
    }
}

/// JetStream's answers that no wait changes.
fn permanent_code(code: jetstream::ErrorCode) -> bool {
    [
        jetstream::ErrorCode::STREAM_NAME_EXIST,
        jetstream::ErrorCode::STREAM_SUBJECT_OVERLAP,
        jetstream::ErrorCode::STREAM_EXTERNAL_API_OVERLAP,
        jetstream::ErrorCode::STREAM_EXTERNAL_DELETE_PREFIX_OVERLAPS,
    ]
    .contains(&code)
}

/// The stream, created when missing: as many replicas as asked, or 3, or
/// 1 on a server that is not clustered. A stream that exists is taken as
/// it is.
pub(crate) async fn open_stream(
    js: &jetstream::Context,
    config: &SharedConfig,
) -> Result<stream::Stream, Failure> {
    let stream_config = |replicas: usize| stream::Config {
        name: STREAM.to_owned(),
        subjects: vec!["floor.room.*".to_owned()],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        duplicate_window: DUPLICATE_WINDOW,
        allow_direct: true,
        ..Default::default()
    };
    let tries = match config.replicas {
        Some(n) => vec![n.max(1)],
        None => vec![3, 1],
    };
    let mut last = None;
    for replicas in tries {
        let error = match js.get_or_create_stream(stream_config(replicas)).await {
            Ok(stream) => return Ok(stream),
            Err(error) => error,
        };
        let code = match error.kind() {
            jetstream::context::CreateStreamErrorKind::JetStream(ref e) => Some(e.error_code()),
            _ => None,
        };
        let message =
            format!("cannot create the stream {STREAM} with {replicas} replicas: {error}");
        match code {
            // Only a server that is not clustered takes 1 instead; a
            // cluster short of servers (one down, still forming) is waited
            // for, never a quiet single copy.
            Some(jetstream::ErrorCode::STREAM_REPLICAS_NOT_SUPPORTED) => {
                last = Some(SharedError::JetStream(format!(
                    "{message} (the server is not clustered; --nats-replicas chooses)"
                )));
            }
            Some(code) if permanent_code(code) => {
                return Err(Failure::Permanent(SharedError::JetStream(format!(
                    "{message} (a stream configured otherwise is in the way)"
                ))));
            }
            _ => {
                return Err(Failure::Transient(format!(
                    "{message} (is every node of the cluster up? --nats-replicas chooses)"
                )));
            }
        }
    }
    Err(Failure::Permanent(last.unwrap_or_else(|| {
        SharedError::JetStream("no stream".into())
    })))
}

/// The rooms and meta buckets and the checkpoints' object store, created
/// when missing, with the stream's replicas.
pub(crate) async fn open_buckets(
    js: &jetstream::Context,
    replicas: usize,
) -> Result<(kv::Store, kv::Store, object_store::ObjectStore), Failure> {
    let bucket = |name: &str| kv::Config {
        bucket: name.to_owned(),
        history: 1,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    };
    let rooms = open_bucket(js, bucket(ROOMS_BUCKET)).await?;
    let meta = open_bucket(js, bucket(META_BUCKET)).await?;
    let checkpoints = match js.get_object_store(CHECKPOINTS_BUCKET).await {
        Ok(store) => store,
        Err(_) => js
            .create_object_store(object_store::Config {
                bucket: CHECKPOINTS_BUCKET.to_owned(),
                storage: stream::StorageType::File,
                num_replicas: replicas,
                ..Default::default()
            })
            .await
            .map_err(|error| {
                Failure::Transient(format!(
                    "cannot open the bucket {CHECKPOINTS_BUCKET}: {error}"
                ))
            })?,
    };
    Ok((rooms, meta, checkpoints))
}

async fn open_bucket(js: &jetstream::Context, config: kv::Config) -> Result<kv::Store, Failure> {
    let name = config.bucket.clone();
    match js.get_key_value(&name).await {
        Ok(bucket) => Ok(bucket),
        Err(_) => js
            .create_key_value(config)
            .await
            .map_err(|error| Failure::Transient(format!("cannot open the bucket {name}: {error}"))),
    }
}

/// A JetStream context on `client`.
pub(crate) fn context(client: &async_nats::Client) -> jetstream::Context {
    let mut js = jetstream::new(client.clone());
    js.set_timeout(REQUEST_TIMEOUT);
    js
}

/// The admin token as a start settled it.
#[derive(Debug)]
pub(crate) struct Admin {
    /// Its hash.
    pub hash: Option<TokenHash>,
    /// A token this start generated (the store had none): print it once.
    pub new_token: Option<String>,
    /// Whether this start, given no token, took the hash the store held
    /// (set by an earlier broker).
    pub already_set: bool,
}

/// Settles the admin token: the hash in the store is the truth. The first
/// broker (no hash stored) stores `given`'s hash, or a new token's; the
/// store is written with a create, so of two first brokers one wins and
/// the other takes its hash. A later broker given no token takes the
/// stored hash; one given a token whose hash differs is refused.
pub(crate) async fn settle_admin(
    shared: &crate::shared::Shared,
    given: Option<&str>,
    wait: Duration,
) -> Result<Admin, SharedError> {
    let generated = given.is_none().then(auth::new_token);
    let Some(token) = given.or(generated.as_deref()) else {
        return Err(SharedError::JetStream("no admin token".into()));
    };
    let hash = hex::encode(auth::hash_token(token));
    let kept = retrying(wait, "settle the admin token", || async {
        Ok(shared.meta_or_set(ADMIN_HASH_KEY, &hash).await?)
    })
    .await?;
    let already_set = kept != hash;
    if already_set && given.is_some() {
        return Err(SharedError::AdminTokenMismatch);
    }
    Ok(Admin {
        hash: hex::decode(&kept)
            .ok()
            .and_then(|h| <TokenHash>::try_from(h).ok()),
        new_token: if already_set { None } else { generated },
        already_set,
    })
}
