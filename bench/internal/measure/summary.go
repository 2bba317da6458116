package measure

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one measured run of one tool, as stored in the results file.
type Record struct {
	Label  string
	Round  int
	Result Result
}

// tsvHeader names the columns of a results file.
const tsvHeader = "label\tround\twall_s\tuser_s\tsys_s\tmaxrss_kb\ttreerss_kb\texit"

// WriteTSV appends r as one tab-separated line; header writes the column
// names first (for a new file).
func WriteTSV(w io.Writer, r Record, header bool) error {
	if header {
		if _, err := fmt.Fprintln(w, tsvHeader); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%s\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\n",
		r.Label, r.Round, r.Result.Wall.Seconds(), r.Result.User.Seconds(),
		r.Result.Sys.Seconds(), r.Result.MaxRSSKB, r.Result.TreeRSSKB, r.Result.ExitCode)
	return err
}

// ReadTSV reads a results file written by WriteTSV.
func ReadTSV(r io.Reader) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text == tsvHeader {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 8 {
			return nil, fmt.Errorf("line %d: want 8 fields, got %d", line, len(f))
		}
		var rec Record
		var err error
		rec.Label = f[0]
		if rec.Round, err = strconv.Atoi(f[1]); err != nil {
			return nil, fmt.Errorf("line %d: round: %w", line, err)
		}
		durs := []*time.Duration{&rec.Result.Wall, &rec.Result.User, &rec.Result.Sys}
		for i, d := range durs {
			s, err := strconv.ParseFloat(f[2+i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: field %d: %w", line, 3+i, err)
			}
			*d = time.Duration(s * float64(time.Second))
		}
		if rec.Result.MaxRSSKB, err = strconv.ParseInt(f[5], 10, 64); err != nil {
			return nil, fmt.Errorf("line %d: maxrss: %w", line, err)
		}
		if rec.Result.TreeRSSKB, err = strconv.ParseInt(f[6], 10, 64); err != nil {
			return nil, fmt.Errorf("line %d: treerss: %w", line, err)
		}
		if rec.Result.ExitCode, err = strconv.Atoi(f[7]); err != nil {
			return nil, fmt.Errorf("line %d: exit: %w", line, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// Row is the summary of every run of one tool.
type Row struct {
	Label            string
	Runs             int
	Wall, CPU        time.Duration // medians
	WallMin, WallMax time.Duration
	MaxRSSKB         int64 // median of the per-run peaks of the largest process
	TreeRSSKB        int64 // median of the per-run peaks of the whole tree
}

// Summarize groups records by label, in the order labels first appear, and
// takes medians.
func Summarize(recs []Record) []Row {
	var order []string
	by := map[string][]Result{}
	for _, r := range recs {
		if _, ok := by[r.Label]; !ok {
			order = append(order, r.Label)
		}
		by[r.Label] = append(by[r.Label], r.Result)
	}
	rows := make([]Row, 0, len(order))
	for _, label := range order {
		res := by[label]
		var wall, cpu, rss, tree []float64
		for _, r := range res {
			wall = append(wall, float64(r.Wall))
			cpu = append(cpu, float64(r.CPU()))
			rss = append(rss, float64(r.MaxRSSKB))
			tree = append(tree, float64(r.TreeRSSKB))
		}
		lo, hi := minMax(wall)
		rows = append(rows, Row{
			Label:     label,
			Runs:      len(res),
			Wall:      time.Duration(Median(wall)),
			CPU:       time.Duration(Median(cpu)),
			WallMin:   time.Duration(lo),
			WallMax:   time.Duration(hi),
			MaxRSSKB:  int64(Median(rss)),
			TreeRSSKB: int64(Median(tree)),
		})
	}
	return rows
}

// Median of xs (the mean of the two middle values for an even count); 0 for
// none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minMax(xs []float64) (lo, hi float64) {
	for i, x := range xs {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	return lo, hi
}

// Table returns rows as cells, header first. For each label in bases that
// is present among rows it adds ratio columns "row ÷ base" for wall time,
// CPU time and peak memory (the tree's when measured, else the largest
// process's).
func Table(rows []Row, bases ...string) [][]string {
	byLabel := map[string]Row{}
	for _, r := range rows {
		byLabel[r.Label] = r
	}
	var present []Row
	for _, b := range bases {
		if r, ok := byLabel[b]; ok {
			present = append(present, r)
		}
	}
	head := []string{"tool", "runs", "wall s", "wall min–max", "CPU s", "RSS MiB", "tree RSS MiB"}
	for _, b := range present {
		head = append(head, "wall ÷ "+b.Label, "CPU ÷ "+b.Label, "mem ÷ "+b.Label)
	}
	out := [][]string{head}
	for _, r := range rows {
		line := []string{
			r.Label,
			fmt.Sprint(r.Runs),
			fmt.Sprintf("%.2f", r.Wall.Seconds()),
			fmt.Sprintf("%.2f–%.2f", r.WallMin.Seconds(), r.WallMax.Seconds()),
			fmt.Sprintf("%.2f", r.CPU.Seconds()),
			fmt.Sprintf("%.0f", float64(r.MaxRSSKB)/1024),
			mib(r.TreeRSSKB),
		}
		for _, b := range present {
			line = append(line,
				ratio(float64(r.Wall), float64(b.Wall)),
				ratio(float64(r.CPU), float64(b.CPU)),
				ratio(float64(r.mem()), float64(b.mem())))
		}
		out = append(out, line)
	}
	return out
}

// PrintTable writes cells as an aligned text table (first column left,
// numbers right) or, with markdown, as a GitHub Markdown table.
func PrintTable(w io.Writer, cells [][]string, markdown bool) error {
	if len(cells) == 0 {
		return nil
	}
	if markdown {
		for i, row := range cells {
			if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | ")); err != nil {
				return err
			}
			if i == 0 {
				sep := make([]string, len(row))
				for j := range sep {
					sep[j] = "---:"
				}
				sep[0] = "---"
				if _, err := fmt.Fprintf(w, "|%s|\n", strings.Join(sep, "|")); err != nil {
					return err
				}
			}
		}
		return nil
	}
	widths := make([]int, len(cells[0]))
	for _, row := range cells {
		for j, c := range row {
			if n := utf8.RuneCountInString(c); j < len(widths) && n > widths[j] {
				widths[j] = n
			}
		}
	}
	for _, row := range cells {
		var b strings.Builder
		for j, c := range row {
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			if j == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		if _, err := fmt.Fprintln(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// Ratios returns one line per base present in rows: "LABEL ÷ BASE: wall
// x, CPU y, RSS z". It returns nothing when label is absent.
func Ratios(rows []Row, label string, bases ...string) []string {
	byLabel := map[string]Row{}
	for _, r := range rows {
		byLabel[r.Label] = r
	}
	r, ok := byLabel[label]
	if !ok {
		return nil
	}
	var out []string
	for _, b := range bases {
		br, ok := byLabel[b]
		if !ok || b == label {
			continue
		}
		out = append(out, fmt.Sprintf("%s ÷ %s: wall %s, CPU %s, memory %s", label, b,
			ratio(float64(r.Wall), float64(br.Wall)),
			ratio(float64(r.CPU), float64(br.CPU)),
			ratio(float64(r.mem()), float64(br.mem()))))
	}
	return out
}

// mem is the peak memory ratios use: the whole tree's when it was
// measured, else the largest process's.
func (r Row) mem() int64 {
	if r.TreeRSSKB > 0 {
		return r.TreeRSSKB
	}
	return r.MaxRSSKB
}

func mib(kb int64) string {
	if kb == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(kb)/1024)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}
