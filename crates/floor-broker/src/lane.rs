//! The command lane: a thread of its own, with a small runtime of its
//! own, for the room tasks and the connections of the roles that run the
//! session (chair, online moderator, mic runner).
//!
//! A commit wakes every subscriber of its room. With a thousand display
//! screens that is a pass of several milliseconds over their connections
//! on the main runtime, and a room or a staff connection queued behind
//! that pass waits for all of it: every acknowledgement would cost a whole
//! fan-out. On their own thread, the operating system runs the rooms and
//! the staff's connections as soon as they wake, the screens take the CPU
//! that is left, and fan-out never delays an acknowledgement. Participants
//! and displays stay on the main runtime: there may be thousands of them.
//!
//! The sockets stay registered with the main runtime's I/O driver; a task
//! on the lane is woken from there like any other waker.

use std::future::Future;

use floor_protocol::Role;
use tokio::runtime::{Builder, Handle};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The lane's thread and a handle to its runtime. Dropping it stops the
/// thread; tasks still on the lane are dropped with its runtime.
#[derive(Debug)]
pub struct CommandLane {
    handle: Handle,
    stop: Option<oneshot::Sender<()>>,
}

impl CommandLane {
    /// Starts the lane's thread.
    pub fn start() -> std::io::Result<CommandLane> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("floor-commands".into())
            .spawn(move || {
                // Either a stop or the lane's owner gone: both end the lane.
                let _ = runtime.block_on(stopped);
            })?;
        Ok(CommandLane {
            handle,
            stop: Some(stop),
        })
    }

    /// The lane's runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Runs `task` on the lane.
    pub fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(task)
    }

    /// Whether a connection of `role` is served on the lane: the roles that
    /// run the session, whose commands must not wait for the screens.
    pub fn serves(role: Role) -> bool {
        matches!(role, Role::Chair | Role::Moderator | Role::Runner)
    }
}

impl Drop for CommandLane {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
