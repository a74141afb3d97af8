package storage

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// childAttr puts the child redis-server in its own process group, so a Ctrl-C at the terminal
// reaches only the bot (which then drains and stops redis-server last, in Close), and asks the
// kernel to send it SIGTERM if the bot dies without a Close.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// isRedisServer reports whether pid is a live redis-server.
func isRedisServer(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return err == nil && strings.Contains(string(cmdline), "redis-server")
}
