package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Shell completion rides on urfave/cli's own protocol: the shell asks the
// binary (`decouple ... --generate-bash-completion`) for the words that fit,
// so the scripts below stay tiny and never go stale. Fish and the man page
// are rendered by urfave/cli from the same command definitions.

const bashCompletion = `# bash completion for decouple: source it, or put it in
# /etc/bash_completion.d/decouple
_decouple_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
  [[ $cur == -* ]] && args+=("$cur")
  COMPREPLY=($(compgen -W "$(decouple "${args[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o default -F _decouple_complete decouple
`

const zshCompletion = `#compdef decouple
# zsh completion for decouple: put it in a folder of $fpath as _decouple
_decouple() {
  local -a words_in opts
  words_in=("${(@)words[2,CURRENT-1]}")
  [[ ${words[CURRENT]} == -* ]] && words_in+=("${words[CURRENT]}")
  opts=("${(@f)$(decouple "${words_in[@]}" --generate-bash-completion 2>/dev/null)}")
  if [[ -n ${opts[1]} ]]; then
    compadd -a opts
  else
    _files
  fi
}
compdef _decouple decouple
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			switch c.Args().First() {
			case "bash":
				_, err := fmt.Fprint(c.App.Writer, bashCompletion)
				return err
			case "zsh":
				_, err := fmt.Fprint(c.App.Writer, zshCompletion)
				return err
			case "fish":
				script, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				_, err = fmt.Fprint(c.App.Writer, script)
				return err
			}
			return fmt.Errorf("usage: decouple completion bash|zsh|fish")
		},
	}
}

func manCommand() *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the man page (roff), e.g. decouple man > decouple.1",
		Action: func(c *cli.Context) error {
			page, err := c.App.ToMan()
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(c.App.Writer, page)
			return err
		},
	}
}
