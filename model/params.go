package model

// The binder between a model's configuration struct and its settings given
// as text (the command line's --param key=value), and the one place where
// defaults are filled and values validated. A settable field carries tags:
//
//	param:"key"       the key on the command line
//	default:"value"   the value a zero field takes (a word such as "auto"
//	                  for a pointer or list field means: left nil, the
//	                  model decides, as its documentation says)
//	choices:"a|b=c"   the values of a string field, canonical names first;
//	                  "b=c" accepts c for b; the first is the default
//	                  unless default says otherwise
//	check:">=0"       a range: >=x, >x, <=x, or [lo,hi]; every number must
//	                  also be finite
//	help:"..."        one line for "deepnmf models"
//
// Supported field types: int, float64, bool, string kinds, pointers to
// int, float64 and bool, and []float64 (comma-separated).
//
// The common fields are found by name, not by tag: Rank (int), Layers
// ([]int), Init (a string kind whose choices tag lists the starts the
// model takes), Seed (uint64), Groups ([]int), Graph (*linalg.CSR), Masked
// and Float32 (bool).

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Param describes a setting a model reads from --param.
type Param struct {
	Key     string   // the key, such as "lambda"
	Default string   // its default, as text
	Choices []string // the values of an enumeration, canonical names only
	Check   string   // its range, such as ">=0"
	Help    string
}

// String returns the parameter as "key=default" with its choices and
// range, as "deepnmf models" lists it.
func (p Param) String() string {
	s := p.Key + "=" + p.Default
	if len(p.Choices) > 1 {
		s = p.Key + "=" + strings.Join(p.Choices, "|")
	}
	if p.Check != "" {
		s += " (" + p.Check + ")"
	}
	return s
}

// field is a settable field of a configuration struct.
type field struct {
	Param
	index   []int
	aliases map[string]string // accepted name → canonical name
}

// fieldsOf returns the settable fields of the struct type t, in order.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		key, ok := sf.Tag.Lookup("param")
		if !ok {
			if sf.Name == "Init" {
				key = "init" // settable by --init, described by its choices
			} else {
				continue
			}
		}
		f := field{Param: Param{Key: key, Check: sf.Tag.Get("check"), Help: sf.Tag.Get("help")}, index: sf.Index}
		if c, ok := sf.Tag.Lookup("choices"); ok {
			f.aliases = map[string]string{}
			for _, alt := range strings.Split(c, "|") {
				names := strings.Split(alt, "=")
				f.Choices = append(f.Choices, names[0])
				for _, n := range names {
					f.aliases[n] = names[0]
				}
			}
			f.Default = f.Choices[0]
		}
		if d, ok := sf.Tag.Lookup("default"); ok {
			f.Default = d
		} else if f.Choices == nil {
			// The zero value is the default: show it.
			f.Default = fmt.Sprint(reflect.Zero(sf.Type).Interface())
		}
		out = append(out, f)
	}
	return out
}

// params lists the parameters of a configuration (a pointer to a struct),
// without init, which --init sets.
func params(cfg any) []Param {
	var out []Param
	for _, f := range fieldsOf(reflect.TypeOf(cfg).Elem()) {
		if f.Key != "init" {
			out = append(out, f.Param)
		}
	}
	return out
}

// setParam parses value into the field named key of the struct v.
func setParam(v reflect.Value, fs []field, key, value string) error {
	i := slices.IndexFunc(fs, func(f field) bool { return f.Key == key })
	if i < 0 || key == "init" {
		var keys []string
		for _, f := range fs {
			if f.Key != "init" {
				keys = append(keys, f.Key)
			}
		}
		if len(keys) == 0 {
			return invalidf("unknown parameter %q: this model takes no --param", key)
		}
		return invalidf("unknown parameter %q (parameters: %s)", key, strings.Join(keys, ", "))
	}
	if err := parseInto(v.FieldByIndex(fs[i].index), fs[i], value); err != nil {
		return invalidf("parameter %s=%q: %v", key, value, err)
	}
	return nil
}

// parseInto sets the field fv from its text form.
func parseInto(fv reflect.Value, f field, text string) error {
	text = strings.TrimSpace(text)
	switch fv.Kind() {
	case reflect.Pointer:
		if isWord(f, fv.Type().Elem()) && text == f.Default {
			fv.SetZero()
			return nil
		}
		p := reflect.New(fv.Type().Elem())
		if err := parseInto(p.Elem(), f, text); err != nil {
			return err
		}
		fv.Set(p)
		return nil
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.Float64 {
			return fmt.Errorf("not settable from text")
		}
		if isWord(f, fv.Type()) && text == f.Default {
			fv.SetZero()
			return nil
		}
		var vals []float64
		for _, s := range strings.Split(text, ",") {
			x, err := parseFloat(s)
			if err != nil {
				return err
			}
			vals = append(vals, x)
		}
		fv.Set(reflect.ValueOf(vals))
		return nil
	case reflect.String:
		if f.aliases != nil {
			c, ok := f.aliases[text]
			if !ok {
				return fmt.Errorf("want one of %s", strings.Join(f.Choices, ", "))
			}
			text = c
		}
		fv.SetString(text)
		return nil
	case reflect.Int:
		i, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		fv.SetInt(int64(i))
		return nil
	case reflect.Float64:
		x, err := parseFloat(text)
		if err != nil {
			return err
		}
		fv.SetFloat(x)
		return nil
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("not true or false")
		}
		fv.SetBool(b)
		return nil
	}
	return fmt.Errorf("not settable from text")
}

func parseFloat(s string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("not a number")
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("not a finite number")
	}
	return x, nil
}

// isWord reports whether the default of a pointer or list field is a word
// (such as "auto") rather than a value of type t: nil then stands for it.
func isWord(f field, t reflect.Type) bool {
	if f.Default == "" {
		return false
	}
	return parseInto(reflect.New(t).Elem(), field{Param: Param{Key: f.Key}}, f.Default) != nil
}

// resolve fills the zero settable fields of the struct cfg points to with
// their defaults, maps aliases to canonical names, and checks every value
// against its choices and range.
func resolve(cfg any) error {
	v := reflect.ValueOf(cfg).Elem()
	for _, f := range fieldsOf(v.Type()) {
		fv := v.FieldByIndex(f.index)
		if fv.IsZero() && f.Default != "" {
			if err := parseInto(fv, f, f.Default); err != nil {
				panic(fmt.Sprintf("model: default %s=%q of %s: %v", f.Key, f.Default, v.Type(), err))
			}
		}
		if err := checkField(fv, f); err != nil {
			return invalidf("%s: %v", f.Key, err)
		}
	}
	return nil
}

// checkField checks a value against its field's choices and range.
func checkField(fv reflect.Value, f field) error {
	switch fv.Kind() {
	case reflect.Pointer:
		if fv.IsNil() {
			return nil
		}
		return checkField(fv.Elem(), f)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.Float64 {
			return nil
		}
		for i := range fv.Len() {
			if err := checkNumber(fv.Index(i).Float(), f.Check); err != nil {
				return fmt.Errorf("%v: %v", fv.Interface(), err)
			}
		}
	case reflect.String:
		if f.aliases == nil {
			return nil
		}
		c, ok := f.aliases[fv.String()]
		if !ok {
			return fmt.Errorf("%q: want one of %s", fv.String(), strings.Join(f.Choices, ", "))
		}
		fv.SetString(c)
	case reflect.Int:
		return checkNumber(float64(fv.Int()), f.Check)
	case reflect.Float64:
		return checkNumber(fv.Float(), f.Check)
	}
	return nil
}

// checkNumber checks that x is finite and within the range check.
func checkNumber(x float64, check string) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%g is not finite", x)
	}
	if check == "" {
		return nil
	}
	bad := func() error { return fmt.Errorf("%g: want %s", x, check) }
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			panic(fmt.Sprintf("model: bad check %q", check))
		}
		return v
	}
	switch {
	case strings.HasPrefix(check, ">="):
		if x < num(check[2:]) {
			return bad()
		}
	case strings.HasPrefix(check, "<="):
		if x > num(check[2:]) {
			return bad()
		}
	case strings.HasPrefix(check, ">"):
		if x <= num(check[1:]) {
			return bad()
		}
	case strings.HasPrefix(check, "["):
		lo, hi, ok := strings.Cut(strings.Trim(check, "[]"), ",")
		if !ok {
			panic(fmt.Sprintf("model: bad check %q", check))
		}
		if x < num(lo) || x > num(hi) {
			return bad()
		}
	default:
		panic(fmt.Sprintf("model: bad check %q", check))
	}
	return nil
}
