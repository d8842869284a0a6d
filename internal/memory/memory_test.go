package memory

import (
	"errors"
	"io/fs"
	"math"
	"testing"
)

func TestLimitFrom(t *testing.T) {
	const meminfo = "MemTotal:       24683748 kB\nMemFree:         1000000 kB\n"
	const total = 24683748 * 1024
	for _, tc := range []struct {
		name    string
		goLimit int64
		files   map[string]string
		want    uint64
	}{
		{"nothing readable", math.MaxInt64, nil, unlimited},
		{"machine only", math.MaxInt64, map[string]string{memInfo: meminfo}, total},
		{"GOMEMLIMIT", 1 << 30, map[string]string{memInfo: meminfo}, 1 << 30},
		{"cgroup v2", math.MaxInt64, map[string]string{cgroup2Max: "2147483648\n", memInfo: meminfo}, 2 << 30},
		{"cgroup v2 max", math.MaxInt64, map[string]string{cgroup2Max: "max\n", memInfo: meminfo}, total},
		{"cgroup v1", math.MaxInt64, map[string]string{cgroup1Max: "536870912\n", memInfo: meminfo}, 512 << 20},
		{"cgroup v1 unlimited", math.MaxInt64, map[string]string{cgroup1Max: "9223372036854771712\n"}, unlimited},
		{"smallest wins", 3 << 30, map[string]string{cgroup2Max: "4294967296", cgroup1Max: "2147483648", memInfo: meminfo}, 2 << 30},
		{"malformed meminfo", math.MaxInt64, map[string]string{memInfo: "MemTotal: lots\n"}, unlimited},
	} {
		read := func(path string) ([]byte, error) {
			if s, ok := tc.files[path]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		}
		if got := limitFrom(tc.goLimit, read); got != tc.want {
			t.Errorf("%s: limit %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestLimit(t *testing.T) {
	if l := Limit(); l == 0 || l > unlimited || Limit() != l {
		t.Errorf("Limit() = %d, want a stable value in (0, 1<<62]", l)
	}
	if err := Check(1, "one byte"); err != nil {
		t.Errorf("Check(1): %v", err)
	}
	if err := Check(math.MaxUint64, "everything"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Check(MaxUint64): %v, want ErrTooLarge", err)
	}
}

func TestCheck(t *testing.T) {
	if err := check(1<<30, 1<<30, "exactly the limit"); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	err := check(800_000_000, 1<<30, "storing the row pointers")
	if err != nil {
		t.Errorf("under the limit: %v", err)
	}
	err = check(2_400_000_008, 1<<30, "storing the row pointers")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v, want ErrTooLarge", err)
	}
	if want := "storing the row pointers needs about 2.4 GB, more than the 1.1 GB this process may use"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {9_949, "9.9 kB"}, {9_950, "10 kB"},
		{999_499, "999 kB"}, {999_500, "1.0 MB"}, {800_000_000, "800 MB"}, {2_400_000_008, "2.4 GB"},
		{1 << 62, "4.6 EB"}, {math.MaxUint64, "18 EB"},
	} {
		if got := formatBytes(tc.n); got != tc.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
