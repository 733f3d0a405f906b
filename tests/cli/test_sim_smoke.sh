# The simulator's own smoke suite (it starts a private simulator): protocols,
# signatures (also against botocore where installed), paging, faults, speed.
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed" >&2; exit 77; }
cd "$(dirname "$0")/../.." || exit 2
python3 tests/sim/test_sim.py
