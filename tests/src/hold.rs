//! A TCP proxy for one WebSocket client that holds the client's first
//! command: it passes the upgrade and the first data frame (`hello`), then
//! keeps the next data frame back until the test releases it. A test thus
//! changes the room between what a command-line client read at connect and
//! the command it sends, deterministically.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A proxy for one connection; stops when dropped.
pub struct Hold {
    /// Where it listens.
    pub addr: SocketAddr,
    held: Option<oneshot::Receiver<()>>,
    release: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Hold {
    /// Starts a proxy to `target` on an ephemeral port.
    pub async fn start(target: SocketAddr) -> Hold {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (held_tx, held) = oneshot::channel();
        let (release, release_rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            let Ok((inbound, _)) = listener.accept().await else {
                return;
            };
            let Ok(outbound) = TcpStream::connect(target).await else {
                return;
            };
            relay(inbound, outbound, held_tx, release_rx).await;
        });
        Hold {
            addr,
            held: Some(held),
            release: Some(release),
            task,
        }
    }

    /// The link of `role` in `room` through the proxy, with its token.
    pub fn link(&self, room: &str, role: &str, token: &str) -> String {
        format!("http://{}/r/{room}/{role}#token={token}", self.addr)
    }

    /// Waits until the client's command has reached the proxy (and is held).
    pub async fn held(&mut self) {
        let held = self.held.take().expect("held once");
        tokio::time::timeout(crate::DEADLINE, held)
            .await
            .expect("the command before the deadline")
            .expect("the proxy runs");
    }

    /// Lets the held command, and everything after it, through.
    pub fn release(&mut self) {
        let _ = self.release.take().expect("released once").send(());
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies the server's bytes as they come; copies the client's up to the
/// end of its first WebSocket data frame, then holds its second data frame
/// until `release`.
async fn relay(
    inbound: TcpStream,
    outbound: TcpStream,
    held: oneshot::Sender<()>,
    release: oneshot::Receiver<()>,
) {
    let (mut client_reads, mut client_writes) = inbound.into_split();
    let (mut server_reads, mut server_writes) = outbound.into_split();
    let down = async {
        let _ = tokio::io::copy(&mut server_reads, &mut client_writes).await;
        let _ = client_writes.shutdown().await;
    };
    let up = async {
        let mut buffer = Vec::new();
        let mut chunk = vec![0u8; 16 * 1024];
        // The upgrade request, then frames: pass until a second data frame
        // is complete in the buffer.
        let mut passed = 0; // bytes of `buffer` already sent
        let mut upgraded = false;
        let mut data_frames = 0;
        let mut release = Some(release);
        let mut held = Some(held);
        loop {
            let n = match client_reads.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            buffer.extend_from_slice(&chunk[..n]);
            loop {
                if !upgraded {
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        break;
                    };
                    upgraded = true;
                    passed = end + 4;
                    continue;
                }
                let Some((length, opcode)) = frame_at(&buffer[passed..]) else {
                    break;
                };
                if opcode & 0x8 == 0 {
                    data_frames += 1;
                }
                if data_frames == 2
                    && let (Some(held), Some(release)) = (held.take(), release.take())
                {
                    if server_writes.write_all(&buffer[..passed]).await.is_err() {
                        return;
                    }
                    buffer.drain(..passed);
                    passed = 0;
                    let _ = held.send(());
                    let _ = release.await;
                }
                passed += length;
            }
            if server_writes.write_all(&buffer[..passed]).await.is_err() {
                return;
            }
            buffer.drain(..passed);
            passed = 0;
        }
        let _ = server_writes.shutdown().await;
    };
    tokio::join!(up, down);
}

/// The length and opcode of the complete WebSocket frame at the start of
/// `bytes`, if it is complete.
fn frame_at(bytes: &[u8]) -> Option<(usize, u8)> {
    let (&first, rest) = bytes.split_first()?;
    let &second = rest.first()?;
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    let (header, payload) = match second & 0x7f {
        126 => (
            4,
            u64::from(u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?])),
        ),
        127 => (10, u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?)),
        short => (2, u64::from(short)),
    };
    let length = header + mask + usize::try_from(payload).ok()?;
    (bytes.len() >= length).then_some((length, first & 0x0f))
}
