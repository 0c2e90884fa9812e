# Sourced by the desktop scripts. `start_xvfb LOG` starts a virtual display on a free number
# and returns once it accepts connections (Xvfb writes its number to -displayfd only then),
# setting `display` (":N") and `xvfb_pid`. A fixed pause was not enough on a busy CI machine:
# the window check once ran before the display was up.
start_xvfb() {
  local log=$1 fifo number
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 390x844x24 -nolisten tcp 3>"$fifo" >"$log" 2>&1 &
  xvfb_pid=$!
  if ! read -r -t 30 number <"$fifo" || [ -z "$number" ]; then
    rm -f "$fifo"
    kill "$xvfb_pid" 2>/dev/null || true
    echo "FAIL: the virtual display did not start" >&2
    cat "$log" >&2
    return 1
  fi
  rm -f "$fifo"
  display=":$number"
}
