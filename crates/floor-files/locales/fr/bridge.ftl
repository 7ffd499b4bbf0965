# What floor's Matrix bridge says in its room (`floor bridge matrix
# --lang`). { $place } is a place in line (2 or more); { $shown } how many
# places the order lists (50); { $why } in in-line-why a reason-* message;
# { $reason } and { $why } in the standing-* messages what the staff or
# floor wrote; { $name } a person's name; { $standing } a standing-* or
# in-line message; { $hand } the reaction that raises a hand (✋).
# read-aloud is what a question says to be read aloud (English's always
# counts too). Terms as in docs/glossary.md.

standing-sending = ✋ Votre main est levée ; floor l'enregistre.
standing-pending = ✋ Votre main est levée. Le modérateur en ligne va l'approuver sous peu.
place-next = Vous êtes en tête de la file d'attente
place-number = Vous êtes n° { $place } dans la file d'attente
place-beyond = Vous êtes dans la file d'attente, après les { $shown } premières places
in-line = ✋ { $place }.
in-line-why = ✋ { $place } ({ $why }).
standing-speaking = 🎙 Vous avez la parole : activez votre micro et parlez.
standing-done = Votre intervention est terminée. Merci.
standing-withdrawn = Votre main est baissée.
standing-rejected = Le modérateur en ligne n'a pas retenu cette demande.
standing-rejected-why = Le modérateur en ligne n'a pas retenu cette demande : { $reason }
standing-merged = Votre demande a été fusionnée avec une autre sur le même point ; elles seront entendues ensemble.
standing-refused = Votre main n'a pas pu être levée : { $why }
reason-pinned = la présidence vous a fait avancer
reason-channel-turn = la salle et les participants en ligne prennent la parole à tour de rôle
reason-only-online = seules des demandes en ligne attendent
reason-first-time = les personnes qui n'ont pas encore parlé passent d'abord
called = 🎙 { $name }, vous avez la parole : activez votre micro et parlez.
already-up = Votre main est déjà levée ; ce message porte sur la même demande. { $standing } Tapez !lower pour la baisser.
nothing-to-lower = Vous n'avez pas la main levée.
slow-down = Trop de commandes à la fois : le bot ignore les vôtres pendant une minute. Votre main, si elle est levée, le reste.
pinned = { $hand } Réagissez avec { $hand } à ce message pour lever la main, ou tapez !hand suivi de votre question. Retirez la réaction, ou tapez !lower, pour baisser la main. Ajoutez « à voix haute » à une question pour que le modérateur en ligne la lise.
read-aloud = voix haute
