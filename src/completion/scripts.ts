// The completion scripts. Each asks `falkorctl __complete -- WORDS…` (the words before the cursor, without
// the program name) for candidates, one per line, and lets the shell filter them by the current word.
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function script(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# falkorctl completion for bash: eval "$(falkorctl completion bash)"
_falkorctl() {
  local cur=\${COMP_WORDS[COMP_CWORD]} IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(falkorctl __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "$cur"))
}
complete -o default -o bashdefault -F _falkorctl falkorctl
`;
    case 'zsh':
      return `#compdef falkorctl
# falkorctl completion for zsh: eval "$(falkorctl completion zsh)" (after compinit)
_falkorctl() {
  local -a c
  c=("\${(@f)$(falkorctl __complete -- "\${(@)words[2,CURRENT-1]}" 2>/dev/null)}")
  if (( \${#c} )) && [[ -n "\${c[1]}" ]]; then compadd -- "\${c[@]}"; else _files; fi
}
compdef _falkorctl falkorctl
`;
    case 'fish':
      return `# falkorctl completion for fish: falkorctl completion fish | source
function __falkorctl_complete
  set -l words (commandline -opc)
  set -e words[1]
  falkorctl __complete -- $words 2>/dev/null
end
complete -c falkorctl -f -a '(__falkorctl_complete)'
`;
  }
}
