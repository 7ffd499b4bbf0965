//! A TCP proxy that misbehaves on purpose: it cuts chosen connections and
//! stalls others (nothing forwarded either way for a while), as a venue's
//! Wi-Fi and a sleeping phone do.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// One proxied connection's controls.
#[derive(Clone)]
struct Link {
    cut: CancellationToken,
    stalled: watch::Sender<bool>,
}

/// A running chaos proxy; stops when dropped.
pub struct ChaosProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    links: Arc<Mutex<HashMap<u64, Link>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ChaosProxy {
    /// Starts a proxy to `target` on an ephemeral port. The target may be
    /// down for a while (a broker restarting): a connection made then is
    /// closed at once, and the client reconnects.
    pub async fn start(target: SocketAddr) -> ChaosProxy {
        ChaosProxy::start_to(vec![target]).await
    }

    /// Starts a proxy that connects each client to the first of `targets`
    /// that accepts, as a load balancer in front of several brokers does
    /// when one is down.
    pub async fn start_to(targets: Vec<SocketAddr>) -> ChaosProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("an address");
        let links: Arc<Mutex<HashMap<u64, Link>>> = Arc::default();
        let registry = links.clone();
        let task = tokio::spawn(async move {
            let mut next_id = 0u64;
            while let Ok((inbound, _)) = listener.accept().await {
                next_id += 1;
                let id = next_id;
                let link = Link {
                    cut: CancellationToken::new(),
                    stalled: watch::Sender::new(false),
                };
                registry
                    .lock()
                    .expect("not poisoned")
                    .insert(id, link.clone());
                let registry = registry.clone();
                let targets = targets.clone();
                tokio::spawn(async move {
                    let mut connected = None;
                    for target in &targets {
                        if let Ok(outbound) = TcpStream::connect(target).await {
                            connected = Some(outbound);
                            break;
                        }
                    }
                    if let Some(outbound) = connected {
                        let _ = outbound.set_nodelay(true);
                        let _ = inbound.set_nodelay(true);
                        forward(inbound, outbound, &link).await;
                    }
                    registry.lock().expect("not poisoned").remove(&id);
                });
            }
        });
        ChaosProxy { addr, links, task }
    }

    /// Cuts each open connection with probability `p`; returns how many.
    pub fn cut_some(&self, p: f64) -> usize {
        let links = self.links.lock().expect("not poisoned");
        let mut rng = rand::rng();
        let mut cut = 0;
        for link in links.values() {
            if rng.random_bool(p) {
                link.cut.cancel();
                cut += 1;
            }
        }
        cut
    }

    /// Stalls each open connection with probability `p` for `pause`;
    /// returns how many.
    pub fn stall_some(&self, p: f64, pause: Duration) -> usize {
        let links = self.links.lock().expect("not poisoned");
        let mut rng = rand::rng();
        let mut stalled = 0;
        for link in links.values() {
            if rng.random_bool(p) {
                let _ = link.stalled.send(true);
                let sender = link.stalled.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(pause).await;
                    let _ = sender.send(false);
                });
                stalled += 1;
            }
        }
        stalled
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies both ways until either side closes or the link is cut; while
/// the link is stalled, nothing is forwarded.
async fn forward(inbound: TcpStream, outbound: TcpStream, link: &Link) {
    let (mut in_read, mut in_write) = inbound.into_split();
    let (mut out_read, mut out_write) = outbound.into_split();
    let up = pump(&mut in_read, &mut out_write, link.stalled.subscribe());
    let down = pump(&mut out_read, &mut in_write, link.stalled.subscribe());
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = link.cut.cancelled() => {}
    }
}

async fn pump(
    from: &mut tokio::net::tcp::OwnedReadHalf,
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    mut stalled: watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if stalled.wait_for(|s| !*s).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}
