//! The run of show's and the audience's commands: `set_programme`,
//! `start_phase`, `next_presenter`, `set_remote_audience` and
//! `record_attendance`.

use floor_protocol::{Event, Programme};

use crate::decide::{Batch, Decider};
use crate::error::CommandError;
use crate::validate;

impl Decider<'_> {
    pub(crate) fn set_programme(
        &self,
        programme: &Programme,
        batch: &mut Batch,
    ) -> Result<(), CommandError> {
        self.require_room_action()?;
        let programme = validate::programme(programme)?;
        batch.push(Event::ProgrammeSet { programme });
        Ok(())
    }

    pub(crate) fn start_phase(&self, phase: u32, batch: &mut Batch) -> Result<(), CommandError> {
        self.require_room_action()?;
        let count = self
            .room
            .view_ref()
            .programme
            .as_ref()
            .map_or(0, |p| p.phases.len());
        if count == 0 {
            return Err(CommandError::transition(None, "no run of show is set"));
        }
        if usize::try_from(phase).map_or(true, |p| p >= count) {
            return Err(CommandError::invalid(
                "phase",
                format!("the run of show has phases 0 to {}", count - 1),
            ));
        }
        batch.push(Event::PhaseStarted { phase });
        Ok(())
    }

    pub(crate) fn next_presenter(&self, batch: &mut Batch) -> Result<(), CommandError> {
        self.require_room_action()?;
        let view = self.room.view_ref();
        let (Some(programme), Some(stage)) = (&view.programme, &view.stage) else {
            return Err(CommandError::transition(None, "no phase is running"));
        };
        let speakers = usize::try_from(stage.phase)
            .ok()
            .and_then(|i| programme.phases.get(i))
            .map_or(0, |p| p.speakers.len());
        let index = stage.presenter.as_ref().map_or(0, |p| p.index + 1);
        if usize::try_from(index).map_or(true, |i| i >= speakers) {
            return Err(CommandError::transition(
                None,
                "the running phase has no further presenter",
            ));
        }
        batch.push(Event::PresenterStarted { index });
        Ok(())
    }

    pub(crate) fn remote_audience(
        &self,
        count: u32,
        batch: &mut Batch,
    ) -> Result<(), CommandError> {
        self.require_room_action()?;
        if count > floor_protocol::limits::REMOTE_AUDIENCE_MAX {
            return Err(CommandError::invalid(
                "count",
                format!(
                    "must be from 0 to {}",
                    floor_protocol::limits::REMOTE_AUDIENCE_MAX
                ),
            ));
        }
        batch.push(Event::RemoteAudienceSet { count });
        Ok(())
    }

    pub(crate) fn record_attendance(
        &self,
        connected: floor_protocol::Attendance,
        batch: &mut Batch,
    ) -> Result<(), CommandError> {
        self.require_room_action()?;
        let max = floor_protocol::limits::ATTENDANCE_MAX;
        if connected.onsite > max || connected.online > max {
            return Err(CommandError::invalid(
                "connected",
                format!("each count must be from 0 to {max}"),
            ));
        }
        batch.push(Event::AttendanceRecorded { connected });
        Ok(())
    }
}
