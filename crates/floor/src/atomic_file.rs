//! Files floor writes itself (the session report's `--out`), written so
//! that a power cut leaves either the old file or the new one, whole:
//! never an empty or half-written file under the name asked for.
//!
//! The event log itself is SQLite's business (a write-ahead log with
//! `synchronous=FULL`, checked at every start); this module is for the
//! few files the project writes with its own hands.
//!
//! The write is a sequence of [`Step`]s: create a temporary file beside
//! the target, write it, `fsync` it, rename it over the target, `fsync`
//! the directory so the rename itself survives. A power-loss test stops
//! the sequence after every step and cuts the power of a simulated disk
//! (in this module's tests); [`write`] runs it to the end.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

// The tests run the very same code against a simulated disk that keeps
// only what was synced when the power goes.
#[cfg(not(test))]
use std::fs::{File, OpenOptions, remove_file, rename};
#[cfg(test)]
use turmoil::fs::shim::std::fs::{File, OpenOptions, remove_file, rename};

/// One step of an atomic write, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The temporary file is created beside the target.
    Create,
    /// The contents are written to it.
    Write,
    /// The temporary file's data reaches the disk.
    SyncFile,
    /// The temporary file takes the target's name.
    Rename,
    /// The directory entry reaches the disk: the write is durable.
    SyncDir,
}

impl Step {
    /// Every step, in order.
    pub(crate) const ALL: [Step; 5] = [
        Step::Create,
        Step::Write,
        Step::SyncFile,
        Step::Rename,
        Step::SyncDir,
    ];
}

/// An atomic write in progress.
pub(crate) struct AtomicWrite<'a> {
    target: PathBuf,
    temporary: PathBuf,
    contents: &'a [u8],
    file: Option<File>,
    next: usize,
}

impl<'a> AtomicWrite<'a> {
    /// Prepares writing `contents` to `target`; nothing is touched yet.
    pub(crate) fn new(target: &Path, contents: &'a [u8]) -> io::Result<Self> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} names no file", target.display()),
            )
        })?;
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".{}.partial", uuid::Uuid::new_v4().simple()));
        Ok(AtomicWrite {
            target: target.to_path_buf(),
            temporary: target.with_file_name(temporary_name),
            contents,
            file: None,
            next: 0,
        })
    }

    /// Does the next step and returns it, or `None` when all are done.
    pub(crate) fn step(&mut self) -> io::Result<Option<Step>> {
        let Some(&step) = Step::ALL.get(self.next) else {
            return Ok(None);
        };
        match step {
            Step::Create => {
                self.file = Some(
                    OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&self.temporary)?,
                );
            }
            Step::Write => {
                let contents = self.contents;
                self.open_file()?.write_all(contents)?;
            }
            Step::SyncFile => {
                self.open_file()?.sync_all()?;
                self.file = None;
            }
            Step::Rename => rename(&self.temporary, &self.target)?,
            Step::SyncDir => sync_dir(&self.directory())?,
        }
        self.next += 1;
        Ok(Some(step))
    }

    fn open_file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the temporary file is not open"))
    }

    fn directory(&self) -> PathBuf {
        match self.target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Removes the temporary file of a write that failed before its rename.
    fn abandon(&mut self) {
        self.file = None;
        if self.next <= 3 {
            let _ = remove_file(&self.temporary);
        }
    }
}

/// Writes `contents` to `target` atomically and durably: when this returns
/// `Ok`, the new contents survive a power cut; if it fails or the power
/// goes first, `target` holds its old contents (or does not exist, if it
/// did not before).
pub(crate) fn write(target: &Path, contents: &[u8]) -> io::Result<()> {
    let mut write = AtomicWrite::new(target, contents)?;
    loop {
        match write.step() {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(error) => {
                write.abandon();
                return Err(error);
            }
        }
    }
}

#[cfg(not(test))]
fn sync_dir(directory: &Path) -> io::Result<()> {
    File::open(directory)?.sync_all()
}

#[cfg(test)]
fn sync_dir(directory: &Path) -> io::Result<()> {
    turmoil::fs::shim::std::fs::sync_dir(directory)
}

#[cfg(test)]
mod tests {
    //! Power-loss tests: a simulated disk (turmoil's file-system shim)
    //! that, when the power goes, keeps only what was synced, plus
    //! whatever its page cache happened to flush on its own (a random
    //! share of the unsynced writes, as a kernel does).

    use std::sync::{Arc, Mutex};

    use turmoil::fs::shim::std::fs::{create_dir_all, read, read_dir, sync_dir};

    use super::*;

    /// A way of writing the report to a path.
    type Writer = fn(&Path, &[u8]) -> io::Result<()>;

    const OLD: &[u8] = b"# Report\n\nThe old report, whole.\n";

    fn new_contents() -> Vec<u8> {
        // Several pages, so a torn write could show.
        let mut text = b"# Report\n\nThe new report.\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 20_000));
        text.extend(b"\nThe end.\n");
        text
    }

    /// What the disk holds after the power came back.
    #[derive(Debug, Default)]
    struct After {
        target: Option<Vec<u8>>,
        leftovers: Vec<String>,
    }

    /// Writes the old report durably (if `with_old`), then the new one
    /// with `write_new`, cuts the power, restores it, and reads the disk.
    fn power_cut(seed: u64, flush_probability: f64, with_old: bool, write_new: Writer) -> After {
        let mut builder = turmoil::Builder::new();
        builder.rng_seed(seed);
        builder.fs().sync_probability(flush_probability);
        let mut sim = builder.build();
        let seen = Arc::new(Mutex::new(After::default()));
        let booted = Arc::new(Mutex::new(false));
        // Each boot says when it has done its work; the simulation runs
        // until then.
        let done = Arc::new(tokio::sync::Notify::new());
        {
            let seen = seen.clone();
            let booted = booted.clone();
            let done = done.clone();
            sim.host("floor", move || {
                let seen = seen.clone();
                let booted = booted.clone();
                let done = done.clone();
                async move {
                    let target = Path::new("/data/report.md");
                    let first_boot = {
                        let mut booted = booted.lock().map_err(|e| e.to_string())?;
                        !std::mem::replace(&mut *booted, true)
                    };
                    if first_boot {
                        create_dir_all("/data")?;
                        sync_dir("/")?;
                        if with_old {
                            write(target, OLD)?;
                        }
                        // Whatever the new write does: power may go at any
                        // point of it, which is what the callers vary.
                        let _ = write_new(target, &new_contents());
                    } else {
                        let mut after = seen.lock().map_err(|e| e.to_string())?;
                        after.target = read(target).ok();
                        for entry in read_dir("/data")? {
                            let name = entry?.file_name().to_string_lossy().into_owned();
                            if name != "report.md" {
                                after.leftovers.push(name);
                            }
                        }
                    }
                    done.notify_one();
                    std::future::pending::<()>().await;
                    Ok(())
                }
            });
        }
        for boot in ["boot", "reboot"] {
            if boot == "reboot" {
                sim.crash("floor");
                sim.bounce("floor");
            }
            let done = done.clone();
            sim.client(boot, async move {
                done.notified().await;
                Ok(())
            });
            sim.run().expect("the boot runs");
        }
        let mut seen = seen.lock().expect("the reboot finished");
        std::mem::take(&mut *seen)
    }

    /// Runs an atomic write up to and including `steps` of its steps.
    fn stopped_after<const STEPS: usize>(target: &Path, contents: &[u8]) -> io::Result<()> {
        let mut write = AtomicWrite::new(target, contents)?;
        for _ in 0..STEPS {
            write.step()?;
        }
        Ok(())
    }

    const STOPS: [Writer; 6] = [
        stopped_after::<0>,
        stopped_after::<1>,
        stopped_after::<2>,
        stopped_after::<3>,
        stopped_after::<4>,
        stopped_after::<5>,
    ];

    #[test]
    fn a_power_cut_at_any_step_leaves_the_old_report_or_the_new_whole() {
        let new = new_contents();
        for (stop, write_new) in STOPS.iter().enumerate() {
            for seed in 0..8 {
                for flush in [0.0, 0.3, 1.0] {
                    for with_old in [true, false] {
                        let after = power_cut(seed, flush, with_old, *write_new);
                        let old = with_old.then(|| OLD.to_vec());
                        let case = format!(
                            "power cut after {stop} steps, seed {seed}, page-cache flush {flush}, \
                             old report: {with_old}"
                        );
                        if stop == Step::ALL.len() {
                            assert_eq!(
                                after.target,
                                Some(new.clone()),
                                "{case}: a finished write was lost"
                            );
                        } else {
                            assert!(
                                after.target == old || after.target.as_ref() == Some(&new),
                                "{case}: the report is neither the old nor the new one: {:?} bytes",
                                after.target.as_ref().map(Vec::len)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_finished_write_leaves_no_temporary_file() {
        let after = power_cut(1, 0.0, true, write);
        assert_eq!(after.target, Some(new_contents()));
        assert!(
            after.leftovers.is_empty(),
            "left behind: {:?}",
            after.leftovers
        );
    }

    /// The simulation catches the bug this module avoids: a plain write
    /// (what `std::fs::write` does: no fsync, no rename) loses the report
    /// when the power goes, and can leave it torn.
    #[test]
    fn a_plain_write_is_lost_to_a_power_cut() {
        fn plain(target: &Path, contents: &[u8]) -> io::Result<()> {
            turmoil::fs::shim::std::fs::write(target, contents)
        }
        let after = power_cut(1, 0.0, false, plain);
        assert_eq!(
            after.target, None,
            "an unsynced file survived the power cut"
        );
        let after = power_cut(1, 0.0, true, plain);
        assert_ne!(
            after.target,
            Some(new_contents()),
            "an unsynced overwrite survived"
        );
    }

    #[test]
    fn a_path_naming_no_file_is_refused() {
        let error = AtomicWrite::new(Path::new("/"), b"x").err();
        assert_eq!(error.map(|e| e.kind()), Some(io::ErrorKind::InvalidInput));
    }
}
