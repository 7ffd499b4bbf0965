//! The Matrix bridge against a real Synapse and a real broker: remote
//! participants, driven through the client-server API, raise and lower
//! their hands in a Matrix room; the bridge (`floor bridge matrix`, the
//! real binary) relays them to the floor room and answers in threads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use floor_protocol::{Channel, Delivery, Entry, EntryStatus, Role, Source};
use floor_tests::synapse::{Synapse, User};
use floor_tests::*;
use serde_json::{Value, json};

/// A running bridge process, killed when dropped.
struct Bridge {
    child: Child,
    args: Vec<String>,
    log: PathBuf,
}

impl Bridge {
    fn start(
        synapse: &Synapse,
        bot: &User,
        room: &str,
        link: &str,
        state: &Path,
        lang: Option<&str>,
    ) -> Bridge {
        let mut args = vec![
            "bridge".to_owned(),
            "matrix".to_owned(),
            "--homeserver".to_owned(),
            synapse.url.clone(),
            "--matrix-room".to_owned(),
            room.to_owned(),
            "--user".to_owned(),
            bot.name.clone(),
            "--url".to_owned(),
            link.to_owned(),
            "--state".to_owned(),
            state.display().to_string(),
        ];
        if let Some(lang) = lang {
            args.extend(["--lang".to_owned(), lang.to_owned()]);
        }
        let log = state.with_extension("log");
        let child = Bridge::spawn(&args, &bot.password, &log);
        Bridge { child, args, log }
    }

    fn spawn(args: &[String], password: &str, log: &Path) -> Child {
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        Command::new(floor_bin())
            .args(args)
            .env("FLOOR_MATRIX_PASSWORD", password)
            .env(
                "FLOOR_LOG",
                "info,floor_matrix=debug,matrix_sdk=warn,matrix_sdk_base=warn",
            )
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("the bridge starts")
    }

    /// SIGKILL, then the same command again.
    fn restart(&mut self, password: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Bridge::spawn(&self.args, password, &self.log);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything a test needs: a homeserver with the bot, three people and a
/// room; a broker with a floor room; the bridge between them.
struct Setup {
    synapse: Synapse,
    floor: Floor,
    tokens: Tokens,
    bot: User,
    amina: User,
    carlos: User,
    room: String,
    bridge: Bridge,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn start() -> Setup {
        Setup::start_in(None).await
    }

    /// A setup whose bridge speaks `lang` (`--lang`), if given.
    async fn start_in(lang: Option<&str>) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let synapse = Synapse::start();
        let owner = synapse.register("owner");
        let bot = synapse.register("floorbot");
        let amina = synapse.register("amina");
        let carlos = synapse.register("carlos");
        let room = synapse.create_room(&owner, "WS 235 remote participants");
        // The bot may pin its message (a moderator's power).
        let path = format!(
            "/_matrix/client/v3/rooms/{}/state/m.room.power_levels/",
            floor_tests::synapse::encode(&room)
        );
        let mut levels = synapse.call("GET", &path, Some(&owner.token), None);
        levels["users"][bot.id.as_str()] = json!(50);
        synapse.call("PUT", &path, Some(&owner.token), Some(levels));
        synapse.join(&amina, &room);
        synapse.join(&carlos, &room);
        let floor = Floor::start(&dir.path().join("data"));
        let tokens = floor.create_room("ws235").await;
        let link = tokens.link(&floor, "moderator");
        let bridge = Bridge::start(
            &synapse,
            &bot,
            &room,
            &link,
            &dir.path().join("bridge.db"),
            lang,
        );
        let setup = Setup {
            synapse,
            floor,
            tokens,
            bot,
            amina,
            carlos,
            room,
            bridge,
            _dir: dir,
        };
        setup.pinned().await;
        setup
    }

    /// The bridge's pinned message, once it has posted it (the bridge
    /// reads every event after it).
    async fn pinned(&self) -> String {
        self.wait("the pinned message", || {
            self.synapse
                .recent(&self.amina, &self.room, 50)
                .into_iter()
                .find(|e| e["sender"] == self.bot.id.as_str() && e["type"] == "m.room.message")
                .and_then(|e| e["event_id"].as_str().map(str::to_owned))
        })
        .await
    }

    /// Polls `probe` until it gives a value (each try is a request to a
    /// server; the test fails after [`DEADLINE`]).
    async fn wait<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let until = std::time::Instant::now() + DEADLINE;
        loop {
            if let Some(value) = probe() {
                return value;
            }
            assert!(
                std::time::Instant::now() < until,
                "{what} never came; bridge log:\n{}",
                self.bridge.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The floor room's entries relayed for `user`.
    async fn entries_of(&self, user: &User) -> Vec<Entry> {
        // The staff's view: the public links get no `person_id`.
        let state = self.floor.room_state_as(&self.tokens, "chair").await;
        state
            .view()
            .entries
            .iter()
            .filter(|e| e.person.person_id.as_deref() == Some(user.id.as_str()))
            .cloned()
            .collect()
    }

    /// Waits until the floor room holds an entry of `user` that `test`
    /// accepts.
    async fn entry_of(&self, user: &User, test: impl Fn(&Entry) -> bool) -> Entry {
        let until = std::time::Instant::now() + DEADLINE;
        loop {
            if let Some(entry) = self.entries_of(user).await.into_iter().find(&test) {
                return entry;
            }
            assert!(
                std::time::Instant::now() < until,
                "no such entry of {}: {:?}\nbridge log:\n{}",
                user.id,
                self.entries_of(user).await,
                self.bridge.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `thread` holds a message of the bot that shows text
    /// matching `test`; that message.
    async fn said_in(&self, thread: &str, test: impl Fn(&str) -> bool) -> Value {
        self.wait("the bridge's answer", || {
            self.synapse
                .thread(&self.amina, &self.room, thread)
                .into_iter()
                .filter(|e| e["sender"] == self.bot.id.as_str())
                .find(|e| test(&self.synapse.shown(&self.amina, &self.room, e)))
        })
        .await
    }

    /// A chair's command on the floor room.
    async fn chair(&self, command: Value) -> Value {
        let mut chair =
            Client::connect(&self.floor, self.tokens.hello("chair", "test-chair")).await;
        let id = uuid::Uuid::new_v4().to_string();
        chair.command(&id, command).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_from_matrix_is_one_online_entry_its_thread_follows_it_and_its_person_is_called() {
    let s = Setup::start().await;
    let asked = s.synapse.say(
        &s.amina,
        &s.room,
        "!hand How will rural communities be reached?",
    );
    let entry = s
        .entry_of(&s.amina, |e| e.status == EntryStatus::Waiting)
        .await;
    assert_eq!(entry.channel, Channel::Online);
    assert_eq!(entry.person.name, "amina");
    assert_eq!(
        entry.text.as_deref(),
        Some("How will rural communities be reached?")
    );
    assert_eq!(entry.provenance.role, Role::Moderator);
    assert_eq!(entry.provenance.source, Some(Source::Matrix));
    s.said_in(&asked, |t| t.contains("next in line")).await;

    // A second hand is the same request.
    let again = s.synapse.say(&s.amina, &s.room, "!hand me too");
    s.said_in(&again, |t| t.contains("already have your hand up"))
        .await;
    assert_eq!(s.entries_of(&s.amina).await.len(), 1);

    // Two people in the room ask after her; the rotation puts the first of
    // them before her once an online turn was given... here she is first,
    // then an onsite request is called before her when the chair pins it.
    let onsite = s
        .chair(json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Jonas Berg"}}}))
        .await;
    let jonas = onsite["entry_id"].as_str().unwrap().to_owned();
    s.chair(json!({"type": "pin", "entry_id": jonas})).await;
    s.said_in(&asked, |t| t.contains("number 2 in line")).await;
    s.chair(json!({"type": "next"})).await;
    s.said_in(&asked, |t| t.contains("next in line")).await;

    // Her turn: she is mentioned in the thread, then told it is over.
    s.chair(json!({"type": "next"})).await;
    let call = s.said_in(&asked, |t| t.contains("it is your turn")).await;
    assert_eq!(
        call["content"]["m.mentions"]["user_ids"],
        json!([s.amina.id])
    );
    s.chair(json!({"type": "finish"})).await;
    s.said_in(&asked, |t| t.contains("Your turn has ended"))
        .await;
    assert_eq!(s.entries_of(&s.amina).await[0].status, EntryStatus::Done);

    // Carlos raises his hand and lowers it.
    s.synapse.say(&s.carlos, &s.room, "!hand");
    s.entry_of(&s.carlos, |e| e.status == EntryStatus::Waiting)
        .await;
    s.synapse.say(&s.carlos, &s.room, "!lower");
    s.entry_of(&s.carlos, |e| e.status == EntryStatus::Withdrawn)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_on_the_pinned_message_raises_a_hand_and_removing_it_lowers_it() {
    let s = Setup::start().await;
    let pinned = s.pinned().await;
    let reaction = s.synapse.react(&s.carlos, &s.room, &pinned, "✋");
    let entry = s
        .entry_of(&s.carlos, |e| e.status == EntryStatus::Waiting)
        .await;
    assert_eq!(entry.text, None);
    s.said_in(&pinned, |t| t.contains("next in line")).await;
    s.synapse.redact(&s.carlos, &s.room, &reaction);
    s.entry_of(&s.carlos, |e| e.status == EntryStatus::Withdrawn)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_killed_mid_session_neither_misses_a_hand_nor_makes_a_second_entry() {
    let mut s = Setup::start().await;
    s.synapse.say(&s.amina, &s.room, "!hand first");
    s.entry_of(&s.amina, |e| e.status == EntryStatus::Waiting)
        .await;
    // Killed, and hands raised while it is down.
    let password = s.bot.password.clone();
    let _ = s.bridge.child.kill();
    let _ = s.bridge.child.wait();
    s.synapse
        .say(&s.carlos, &s.room, "!hand while the bridge was down");
    s.bridge.restart(&password);
    s.entry_of(&s.carlos, |e| e.status == EntryStatus::Waiting)
        .await;
    // Killed again at once, before it can have saved much: the events it
    // sees again are acknowledged as duplicates.
    s.bridge.restart(&password);
    s.synapse.say(&s.amina, &s.room, "!lower");
    s.entry_of(&s.amina, |e| e.status == EntryStatus::Withdrawn)
        .await;
    assert_eq!(s.entries_of(&s.amina).await.len(), 1);
    assert_eq!(s.entries_of(&s.carlos).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridge_rides_out_a_restart_of_the_homeserver_and_of_floor() {
    let mut s = Setup::start().await;
    s.synapse.restart();
    s.synapse
        .say(&s.amina, &s.room, "!hand after the homeserver came back");
    s.entry_of(&s.amina, |e| e.status == EntryStatus::Waiting)
        .await;
    // A hand raised while floor is down waits in the bridge until floor
    // is back.
    let (synapse, carlos, room) = (&s.synapse, s.carlos.clone(), s.room.clone());
    let mut asked = String::new();
    s.floor.restart_after(|| {
        asked = synapse.say(&carlos, &room, "!hand while floor was down");
    });
    s.entry_of(&s.carlos, |e| e.status == EntryStatus::Waiting)
        .await;
    s.said_in(&asked, |t| t.contains("in line")).await;
    assert_eq!(s.entries_of(&s.amina).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_the_bots_own_messages_other_rooms_and_a_flood_are_handled() {
    let mut s = Setup::start().await;
    // Someone who is not in the room cannot post there; someone who left
    // before the bridge read their message is ignored.
    let dana = s.synapse.register("dana");
    let (status, _) = s.synapse.try_call(
        "PUT",
        &format!(
            "/_matrix/client/v3/rooms/{}/send/m.room.message/stranger",
            floor_tests::synapse::encode(&s.room)
        ),
        Some(&dana.token),
        Some(json!({"msgtype": "m.text", "body": "!hand"})),
    );
    assert_eq!(status, 403, "a non-member cannot post");
    let password = s.bot.password.clone();
    let _ = s.bridge.child.kill();
    let _ = s.bridge.child.wait();
    s.synapse.join(&dana, &s.room);
    s.synapse.say(&dana, &s.room, "!hand and gone");
    s.synapse.leave(&dana, &s.room);
    s.bridge.restart(&password);
    // The bot's own messages are never read as commands.
    s.synapse.say(&s.bot, &s.room, "!hand from the bot itself");
    // A hand in another room the bot is in, from a member of the bridged
    // room, is not a hand in the bridged room.
    let eve = s.synapse.register("eve");
    s.synapse.join(&eve, &s.room);
    let elsewhere = s.synapse.create_room(&eve, "Another session");
    s.synapse.join(&s.bot, &elsewhere);
    s.synapse.say(&eve, &elsewhere, "!hand from another room");
    // A flood of one person: the first hand counts, the rest are one
    // entry, and the person is told to slow down.
    for i in 0..20 {
        s.synapse
            .say(&s.carlos, &s.room, &format!("!hand flood {i}"));
    }
    s.synapse.say(&s.amina, &s.room, "!hand after the flood");
    s.entry_of(&s.amina, |e| e.status == EntryStatus::Waiting)
        .await;
    assert_eq!(s.entries_of(&s.carlos).await.len(), 1);
    assert!(s.entries_of(&s.bot).await.is_empty());
    assert!(
        s.entries_of(&dana).await.is_empty(),
        "a person who left is ignored"
    );
    assert!(
        s.entries_of(&eve).await.is_empty(),
        "a hand in another room is ignored"
    );
    let state = s.floor.room_state(&s.tokens).await;
    assert_eq!(
        state.view().entries.len(),
        2,
        "only Carlos's first hand and Amina's"
    );
    let flood = s
        .wait("the slow-down notice", || {
            s.synapse
                .recent(&s.amina, &s.room, 100)
                .into_iter()
                .find(|e| {
                    e["sender"] == s.bot.id.as_str()
                        && e["content"]["body"]
                            .as_str()
                            .is_some_and(|b| b.contains("Too many"))
                })
        })
        .await;
    assert_eq!(
        flood["content"]["m.mentions"]["user_ids"],
        json!([s.carlos.id])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_room_is_refused_at_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let synapse = Synapse::start();
    let owner = synapse.register("owner");
    let bot = synapse.register("floorbot");
    let answer = synapse.call(
        "POST",
        "/_matrix/client/v3/createRoom",
        Some(&owner.token),
        Some(json!({"preset": "public_chat", "initial_state": [{
            "type": "m.room.encryption", "state_key": "",
            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]})),
    );
    let room = answer["room_id"].as_str().unwrap().to_owned();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("ws235").await;
    let mut bridge = Bridge::start(
        &synapse,
        &bot,
        &room,
        &tokens.link(&floor, "moderator"),
        &dir.path().join("bridge.db"),
        None,
    );
    let status = tokio::task::spawn_blocking(move || {
        let status = bridge.child.wait().unwrap();
        (status, bridge.log())
    });
    let (status, log) = tokio::time::timeout(DEADLINE, status)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(
        log.contains("floor bridge matrix: the Matrix room"),
        "{log}"
    );
    assert!(log.contains("end-to-end encrypted"), "{log}");
    let state = floor.room_state(&tokens).await;
    assert!(state.view().entries.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_set_to_french_pins_answers_and_calls_in_french_and_reads_its_words_for_read_aloud()
 {
    let s = Setup::start_in(Some("fr")).await;
    let pinned = s.pinned().await;
    let body = s
        .synapse
        .recent(&s.amina, &s.room, 50)
        .into_iter()
        .find(|e| e["event_id"] == pinned.as_str())
        .map(|e| e["content"]["body"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert!(body.contains("pour lever la main"), "{body}");
    let asked = s.synapse.say(
        &s.amina,
        &s.room,
        "!hand À voix haute, s'il vous plaît : qui paie ?",
    );
    let entry = s
        .entry_of(&s.amina, |e| e.status == EntryStatus::Waiting)
        .await;
    assert_eq!(entry.delivery, Delivery::ReadAloud);
    s.said_in(&asked, |t| t.contains("en tête de la file d'attente"))
        .await;
    s.chair(json!({"type": "next"})).await;
    s.said_in(&asked, |t| t.contains("vous avez la parole"))
        .await;
}

#[test]
fn settings_come_from_flags_the_environment_and_a_file_and_secrets_never_from_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(floor_bin());
        command.args(["bridge", "matrix"]).args(args);
        for name in [
            "FLOOR_URL",
            "FLOOR_MATRIX_PASSWORD",
            "FLOOR_MATRIX_ACCESS_TOKEN",
            "FLOOR_MATRIX_HOMESERVER",
            "FLOOR_MATRIX_ROOM",
            "FLOOR_MATRIX_USER",
        ] {
            command.env_remove(name);
        }
        command.envs(env.iter().copied());
        let out = command.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[], &[]);
    assert_ne!(code, Some(0));
    assert!(err.contains("no homeserver"), "{err}");
    // There is no flag for a password's value.
    let (code, err) = run(&["--password", "hunter2"], &[]);
    assert_eq!(code, Some(2), "{err}");
    // A file names the room and the homeserver; the environment the link;
    // the password is missing and said so.
    let config = dir.path().join("bridge.toml");
    std::fs::write(
        &config,
        "homeserver = \"http://127.0.0.1:9\"\nmatrix_room = \"#ws235:localhost\"\nuser = \"floorbot\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let (_, err) = run(
        &["--config", &config],
        &[("FLOOR_URL", "http://127.0.0.1:9/r/ws235/moderator#token=t")],
    );
    assert!(err.contains("no password for the bot"), "{err}");
    // The bridge's language: one of the six, else a clear refusal.
    let (code, err) = run(
        &["--config", &config, "--lang", "de"],
        &[
            ("FLOOR_URL", "http://127.0.0.1:9/r/ws235/moderator#token=t"),
            ("FLOOR_MATRIX_PASSWORD", "p"),
        ],
    );
    assert_ne!(code, Some(0));
    assert!(
        err.contains("unknown language \"de\": the bridge speaks ar, zh, en, fr, ru or es"),
        "{err}"
    );
    // An unknown key in the file is refused, naming the file.
    std::fs::write(
        dir.path().join("bad.toml"),
        "homeserver = \"x\"\npasword = \"oops\"\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.toml").display().to_string();
    let (code, err) = run(&["--config", &bad], &[]);
    assert_ne!(code, Some(0));
    assert!(err.contains("bad.toml"), "{err}");
}
