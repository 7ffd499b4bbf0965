//! B0: the limit of the stack. A minimal tokio-tungstenite broadcast
//! server on one thread: no queue, no persistence, no roles. A connection
//! to `/pub/<room>` publishes; every text message it sends goes, as the
//! same shared bytes, to every connection on `/sub/<room>`. A subscriber
//! that falls more than the channel's capacity behind is closed, as
//! floor closes its laggards.
//!
//! Socket settings as floor's: 4 KiB read buffer, 8 KiB write buffer,
//! 64 KiB messages, a listen backlog of 4096.
//!
//! Prints `listening on ADDR` once it accepts connections.

// A benchmark reports on standard output: that is its job.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Frames a subscriber may fall behind before it is closed.
const CAPACITY: usize = 1024;

type Rooms = Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>;

fn room(rooms: &Rooms, name: &str) -> broadcast::Sender<Utf8Bytes> {
    let mut rooms = rooms.lock().unwrap_or_else(|e| e.into_inner());
    rooms
        .entry(name.to_owned())
        .or_insert_with(|| broadcast::channel(CAPACITY).0)
        .clone()
}

fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(Some(64 * 1024))
        .max_frame_size(Some(64 * 1024))
}

async fn serve(stream: TcpStream, rooms: Rooms) {
    let mut path = String::new();
    // The callback's error type is tungstenite's, not ours to shrink.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        path = request.uri().path().to_owned();
        Ok(response)
    };
    let Ok(ws) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config())).await
    else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    if let Some(name) = path.strip_prefix("/pub/") {
        let sender = room(&rooms, name);
        while let Some(Ok(message)) = source.next().await {
            if let Message::Text(text) = message {
                // No subscriber yet is not an error.
                let _ = sender.send(text);
            }
        }
    } else if let Some(name) = path.strip_prefix("/sub/") {
        let mut frames = room(&rooms, name).subscribe();
        loop {
            tokio::select! {
                frame = frames.recv() => match frame {
                    Ok(text) => {
                        if sink.send(Message::Text(text)).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let _ = sink.close().await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                incoming = source.next() => match incoming {
                    Some(Ok(_)) => {}
                    _ => return,
                },
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let listen: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .context("usage: bench-b0 [ADDR]")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(listen)?;
        let listener = socket.listen(4096)?;
        println!("listening on {}", listener.local_addr()?);
        let rooms: Rooms = Arc::default();
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(serve(stream, rooms.clone()));
        }
    })
}
