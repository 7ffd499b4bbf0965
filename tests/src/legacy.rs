//! Logs as older brokers wrote them, for the tests that read an old store.

/// A room's log as a broker wrote it when declarations were events: each
/// of `declared` (name, gender) submitted by the runner and followed by a
/// `gender_declared` event of the same command.
pub fn legacy_log(declared: &[(String, floor_protocol::Gender)]) -> Vec<floor_protocol::RoomEvent> {
    use floor_protocol::{Channel, ClientKey, Command, Event, Role, RoomEvent};
    let mut room = floor_core::Room::new();
    let runner = floor_core::Actor {
        role: Role::Runner,
        client: ClientKey::new("runner-key"),
        channel: None,
    };
    let mut log = Vec::new();
    for (i, (name, gender)) in declared.iter().enumerate() {
        let command = Command::Submit {
            entry: crate::chaos::draft(Channel::Onsite, name.clone()),
        };
        let ctx = floor_core::Ctx {
            now_ms: 1_543_233_600_000 + i as u64 * 1000,
            new_id: uuid::Uuid::new_v4(),
        };
        let outcome = room
            .execute(&runner, &format!("legacy-{i}"), &command, &ctx)
            .expect("a legacy submission is accepted");
        let submitted = outcome.events[0].clone();
        let declaration = RoomEvent {
            seq: submitted.seq + 1,
            event: Event::GenderDeclared { gender: *gender },
            ..submitted.clone()
        };
        room.apply(&declaration)
            .expect("a legacy declaration applies");
        log.extend([submitted, declaration]);
    }
    log
}
