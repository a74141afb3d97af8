// Package scheduler sends what campaignbot says unprompted: the DM when a follow-up comes due, the
// "while I was away" catch-up, each rep's morning due list and the weekly team leaderboard.
//
// It reads and claims work through Store and writes through Poster, both declared here and
// implemented elsewhere (storage.Store, bot.Slack, bot.Console); it never imports storage or bot.
//
// Every replica runs the same loop. It sleeps on a timer until the earliest due score of any
// workspace, wakes early when a write publishes a new head, and re-reads all heads every Recheck
// as a safety net, so an idle replica costs a few Redis commands a minute. Due work is claimed
// atomically into a lease; a message is sent only after BeginSend confirms the lease is still ours
// and the occurrence was not delivered, and AckSend records the delivery and ends the lease.
// A replica that dies leaves leases that any other replica re-queues when they expire.
//
// Delivery guarantee: claims are exactly once (one script's ZREM wins), and a message is sent
// only while its lease is held and its occurrence (reminder ID + due time, rep + local date,
// ISO week) is not marked delivered. A send runs on a context bounded by half a lease, so a lease
// never expires mid-send. One window remains: a replica that dies after Slack accepted a message
// but before its ack leaves a lease that another replica recovers and sends again. Slack's
// chat.postMessage has no idempotency key, so that window is at-least-once by design.
//
// Shutdown order (Run returning after ctx ends): stop claiming, let the senders finish the
// messages they started, release every claim still queued so another replica sends it at once,
// then close the wake-up subscription.
package scheduler
