//! A TCP proxy in front of a server (the broker, a NATS server) that can
//! cut every connection through it at once, as a venue's Wi-Fi does,
//! lose everything the server sends while the client's bytes still reach
//! it (a request that takes effect but whose answer never arrives), or
//! hold what the server sends and deliver it later, in order (answers that
//! come late).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A running proxy; stops when dropped.
pub struct Proxy {
    /// Where it listens.
    pub addr: SocketAddr,
    cuts: watch::Sender<u64>,
    /// The connections of this cut generation lose the server's bytes
    /// (`u64::MAX`: none).
    losing: Arc<AtomicU64>,
    /// While true, the server's bytes wait in the proxy.
    holding: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy to `target` on an ephemeral port.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (cuts, _) = watch::channel(0u64);
        let losing = Arc::new(AtomicU64::new(u64::MAX));
        let (holding, _) = watch::channel(false);
        let watcher = cuts.clone();
        let lose = losing.clone();
        let holds = holding.clone();
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let mut cut = watcher.subscribe();
                let generation = *cut.borrow_and_update();
                let lose = lose.clone();
                let hold = holds.subscribe();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = relay(inbound, outbound, &lose, generation, hold) => {}
                        _ = cut.changed() => {}
                    }
                    // Dropping both sockets ends the connection on both sides.
                });
            }
        });
        Proxy {
            addr,
            cuts,
            losing,
            holding,
            task,
        }
    }

    /// Cuts every connection open now; new ones go through again, both
    /// ways.
    pub fn cut(&self) {
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Drops every byte the server sends on the connections open now and on
    /// those opened before the next [`Proxy::cut`]; the client's bytes still
    /// reach the server.
    pub fn lose_answers(&self) {
        self.losing.store(*self.cuts.borrow(), Ordering::SeqCst);
    }

    /// Holds every byte the server sends from now on, on every connection,
    /// until [`Proxy::release_answers`]; the client's bytes still reach the
    /// server.
    pub fn hold_answers(&self) {
        self.holding.send_replace(true);
    }

    /// Delivers what was held, in order, and everything after it.
    pub fn release_answers(&self) {
        self.holding.send_replace(false);
    }

    /// The HTTP base URL through the proxy.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Copies both ways until both sides are done, passing each side's end on
/// to the other; the server's bytes are dropped once `lose` names this
/// connection's generation, and wait while `hold` is true.
async fn relay(
    inbound: TcpStream,
    outbound: TcpStream,
    lose: &AtomicU64,
    generation: u64,
    mut hold: watch::Receiver<bool>,
) {
    let (mut client_reads, mut client_writes) = inbound.into_split();
    let (mut server_reads, mut server_writes) = outbound.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut client_reads, &mut server_writes).await;
        let _ = server_writes.shutdown().await;
    };
    let down = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match server_reads.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if hold.wait_for(|held| !held).await.is_err() {
                        break;
                    }
                    if lose.load(Ordering::SeqCst) != generation
                        && client_writes.write_all(&buf[..n]).await.is_err()
                    {
                        break;
                    }
                }
            }
        }
        let _ = client_writes.shutdown().await;
    };
    tokio::join!(up, down);
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
