module github.com/deepnmf/deepnmf

go 1.26.8

require (
	github.com/ebitengine/purego v0.11.3
	github.com/sbinet/npyio v0.6.0
	github.com/spf13/cobra v1.10.2
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/campoy/embedmd v1.0.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
