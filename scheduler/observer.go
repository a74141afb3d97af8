package scheduler

// Observer is told what the scheduler delivers and recovers, for metrics. scheduler declares it
// so that it never imports a metrics library; main implements it with Prometheus. Methods are
// called from the sender goroutines at once and must not block.
//
// Lag (how late the oldest due reminder is) is not reported here: main reads it from Redis when
// scraped, so it still rises when this replica is stuck or every replica is down.
type Observer interface {
	// MessageSent is called after Slack accepted a scheduled message of kind "reminder",
	// "catch_up", "digest" or "leaderboard".
	MessageSent(kind string)
	// LeasesRecovered is called with the number of expired leases (work of a replica that
	// died mid-send) a claim put back in the queue.
	LeasesRecovered(n int)
}

// Kinds of scheduled message, as MessageSent reports them.
const (
	KindReminder    = "reminder"
	KindCatchUp     = "catch_up"
	KindDigest      = "digest"
	KindLeaderboard = "leaderboard"
)

type nopObserver struct{}

func (nopObserver) MessageSent(string)  {}
func (nopObserver) LeasesRecovered(int) {}
