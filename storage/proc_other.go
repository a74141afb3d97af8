//go:build unix && !linux

package storage

import "syscall"

// childAttr puts the child redis-server in its own process group, so a Ctrl-C at the terminal
// reaches only the bot, which stops redis-server last, in Close. There is no Pdeathsig outside
// Linux: a bot killed with SIGKILL leaves the server running, and the next Open reports it.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// isRedisServer reports whether pid is alive. Without /proc the name cannot be checked, so a
// recycled pid errs on the side of refusing to start.
func isRedisServer(pid int) bool { return syscall.Kill(pid, 0) == nil }
