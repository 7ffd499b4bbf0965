//! Writing a message to a socket without a copy of it per connection.
//!
//! tokio-tungstenite copies each frame into the connection's write buffer
//! before the socket takes it. A snapshot of a full room is hundreds of
//! kilobytes: written whole to a client that does not read, it would stay
//! in that buffer, one copy per connection. So a message longer than
//! [`FRAGMENT`] goes out as a text frame and continuation frames (RFC 6455,
//! section 5.4), each cut from the one shared, serialized message and
//! handed to the socket (flushed) before the next is copied: a connection
//! whose client stops reading holds at most one fragment of its own, and
//! the write buffer never grows past [`crate::limits::MAX_WRITE_BUFFER`].

use bytes::Bytes;
use futures_util::{Sink, SinkExt};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::{Error, Message, Utf8Bytes};

/// Largest frame the broker writes: 16 KiB. Longer messages are fragmented.
pub const FRAGMENT: usize = 16 * 1024;

/// The byte ranges of `text`'s fragments: at most [`FRAGMENT`] bytes each
/// (a code point is never split, though RFC 6455 would allow it), and one
/// range for a text that fits.
pub fn fragments(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::with_capacity(text.len() / FRAGMENT + 1);
    let mut start = 0;
    loop {
        let mut end = (start + FRAGMENT).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        ranges.push(start..end);
        if end == text.len() {
            return ranges;
        }
        start = end;
    }
}

/// Writes `text` as one text message. A text that fits in [`FRAGMENT`] is
/// queued (and written out only when `flush`), so that a burst of small
/// messages takes one write; a longer one goes out fragment by fragment,
/// each flushed.
pub async fn write_text<S>(socket: &mut S, text: Utf8Bytes, flush: bool) -> Result<(), Error>
where
    S: Sink<Message, Error = Error> + Unpin,
{
    if text.len() <= FRAGMENT {
        let message = Message::Text(text);
        return if flush {
            socket.send(message).await
        } else {
            socket.feed(message).await
        };
    }
    let ranges = fragments(text.as_str());
    write_frames(socket, Bytes::from(text), ranges, Data::Text).await
}

/// Writes `data` as one binary message, fragmented like
/// [`write_text`]'s long messages when it is longer than [`FRAGMENT`]. The
/// protocol has no binary message; the conformance echo sends them back.
pub async fn write_binary<S>(socket: &mut S, data: Bytes) -> Result<(), Error>
where
    S: Sink<Message, Error = Error> + Unpin,
{
    if data.len() <= FRAGMENT {
        return socket.send(Message::Binary(data)).await;
    }
    let ranges = (0..data.len())
        .step_by(FRAGMENT)
        .map(|start| start..(start + FRAGMENT).min(data.len()))
        .collect();
    write_frames(socket, data, ranges, Data::Binary).await
}

/// Sends the `ranges` of `bytes` as one message of kind `first`: its first
/// frame, then continuation frames, each flushed before the next.
async fn write_frames<S>(
    socket: &mut S,
    bytes: Bytes,
    ranges: Vec<std::ops::Range<usize>>,
    first: Data,
) -> Result<(), Error>
where
    S: Sink<Message, Error = Error> + Unpin,
{
    let last = ranges.len().saturating_sub(1);
    for (i, range) in ranges.into_iter().enumerate() {
        let opcode = OpCode::Data(if i == 0 { first } else { Data::Continue });
        let frame = Frame::message(bytes.slice(range), opcode, i == last);
        socket.send(Message::Frame(frame)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_cover_the_text_and_never_split_a_code_point() {
        assert_eq!(fragments(""), vec![0..0]);
        assert_eq!(fragments("abc"), vec![0..3]);
        let exact = "a".repeat(FRAGMENT);
        assert_eq!(fragments(&exact), vec![0..FRAGMENT]);
        // A three-byte character straddling the boundary moves whole into
        // the next fragment.
        let text = format!("{}€{}", "a".repeat(FRAGMENT - 1), "b".repeat(FRAGMENT));
        let ranges = fragments(&text);
        assert_eq!(ranges[0], 0..FRAGMENT - 1);
        let mut joined = String::new();
        for range in &ranges {
            assert!(range.len() <= FRAGMENT);
            joined.push_str(&text[range.clone()]);
        }
        assert_eq!(joined, text);
    }
}
