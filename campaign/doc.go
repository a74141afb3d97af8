// Package campaign defines the follow-up campaigns campaignbot manages and the rules that decide
// whether one counts toward a rep's active total.
//
// It is the leaf of the dependency graph: it imports only the standard library, and bot, commands,
// scheduler and storage all speak in its types. Keeping the counting rules here, as pure functions of
// a campaign and a clock, is what lets every surface (replies, digests, leaderboards, manager views)
// agree on one honest number.
package campaign
