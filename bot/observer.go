package bot

import "time"

// Observer is told what the Slack adapter does, for metrics. bot declares it so that it never
// imports a metrics library; main implements it with Prometheus. Methods are called from many
// goroutines at once and must not block.
type Observer interface {
	// EventReceived is called for every envelope that asks for an ack, with its type
	// ("events_api", "slash_commands", "interactive", …).
	EventReceived(kind string)
	// Acked is called once the envelope of type kind is acknowledged, with the time since it
	// was received. Slack expects an ack within 3 s.
	Acked(kind string, d time.Duration)
	// HandlerError is called when handling a message ends without the rep getting a proper
	// answer: the handler panicked or the reply could not be delivered.
	HandlerError()
	// RateLimited is called for every 429 answer to a Web API call, with the method's name.
	RateLimited(method string)
}

// nopObserver is the Observer of a SlackConfig with none.
type nopObserver struct{}

func (nopObserver) EventReceived(string)        {}
func (nopObserver) Acked(string, time.Duration) {}
func (nopObserver) HandlerError()               {}
func (nopObserver) RateLimited(string)          {}

// Connected reports whether the Socket Mode connection is up: set when the socket connects,
// cleared while reconnecting and after Run returns. Health checks read it.
func (s *Slack) Connected() bool { return s.connected.Load() }
