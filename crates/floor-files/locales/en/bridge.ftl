# What floor's Matrix bridge says in its room (`floor bridge matrix
# --lang`). { $place } is a place in line (2 or more); { $shown } how many
# places the order lists (50); { $why } in in-line-why a reason-* message;
# { $reason } and { $why } in the standing-* messages what the staff or
# floor wrote; { $name } a person's name; { $standing } a standing-* or
# in-line message; { $hand } the reaction that raises a hand (✋).
# read-aloud is what a question says to be read aloud (English's always
# counts too). Terms as in docs/glossary.md.

standing-sending = ✋ Your hand is up; floor is taking it.
standing-pending = ✋ Your hand is up. The online moderator will approve it shortly.
place-next = You are next in line
place-number = You are number { $place } in line
place-beyond = You are in line, after the first { $shown }
in-line = ✋ { $place }.
in-line-why = ✋ { $place } ({ $why }).
standing-speaking = 🎙 It is your turn now: unmute and speak.
standing-done = Your turn has ended. Thank you.
standing-withdrawn = Your hand is lowered.
standing-rejected = The online moderator did not take this request.
standing-rejected-why = The online moderator did not take this request: { $reason }
standing-merged = Your request was joined to another on the same point; it will be heard with it.
standing-refused = Your hand could not be raised: { $why }
reason-pinned = the chair moved you up
reason-channel-turn = online and in the room take turns
reason-only-online = only online requests are waiting
reason-first-time = people who have not spoken yet go first
called = 🎙 { $name }, it is your turn: unmute now and speak.
already-up = You already have your hand up; this one is the same request. { $standing } Type !lower to lower it.
nothing-to-lower = You have no hand up.
slow-down = Too many commands at once: the bridge ignores yours for a minute. Your hand, if up, stays up.
pinned = { $hand } React with { $hand } to this message to raise your hand, or type !hand with your question. Remove the reaction, or type !lower, to lower it. Add "read aloud" to a question to have the online moderator read it out.
read-aloud = read aloud
