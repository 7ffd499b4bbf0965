# What floor's Matrix bridge says in its room (`floor bridge matrix
# --lang`). { $place } is a place in line (2 or more); { $shown } how many
# places the order lists (50); { $why } in in-line-why a reason-* message;
# { $reason } and { $why } in the standing-* messages what the staff or
# floor wrote; { $name } a person's name; { $standing } a standing-* or
# in-line message; { $hand } the reaction that raises a hand (✋).
# read-aloud is what a question says to be read aloud (English's always
# counts too). Terms as in docs/glossary.md.

standing-sending = ✋ 您已举手，floor 正在登记。
standing-pending = ✋ 您已举手，线上主持人将很快批准。
place-next = 您排在发言队列的下一位
place-number = 您排在第{ $place }位
place-beyond = 您在发言队列中，排在前{ $shown }位之后
in-line = ✋ { $place }。
in-line-why = ✋ { $place }（{ $why }）。
standing-speaking = 🎙 现在请您发言：请打开麦克风。
standing-done = 您的发言已结束，谢谢。
standing-withdrawn = 您的举手已撤回。
standing-rejected = 线上主持人未受理此发言申请。
standing-rejected-why = 线上主持人未受理此发言申请：{ $reason }
standing-merged = 您的发言申请已与同一问题的另一申请合并，将与其一并听取。
standing-refused = 无法举手：{ $why }
reason-pinned = 主席将您提前
reason-channel-turn = 现场与线上轮流发言
reason-only-online = 仅有线上申请在等候
reason-first-time = 尚未发言者优先
called = 🎙 { $name }，现在请您发言：请立即打开麦克风。
already-up = 您已经举手了，此消息属于同一发言申请。{ $standing }输入 !lower 可放下手。
nothing-to-lower = 您没有举手。
slow-down = 命令过多：机器人将在一分钟内忽略您的命令。如果您已举手，举手仍然有效。
pinned = { $hand } 用 { $hand } 回应此消息即可举手，或输入 !hand 加上您的问题。移除回应或输入 !lower 即可放下手。在问题中加入“朗读”，线上主持人会代为朗读。
read-aloud = 朗读
