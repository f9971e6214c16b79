using System.CommandLine;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// <c>ctr completion bash|zsh|fish</c>: prints a script that asks ctr itself for completions through
/// System.CommandLine's suggest directive (<c>ctr "[suggest:POS]" "LINE"</c>), so it never goes stale.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script; e.g. add  source <(ctr completion bash)  to ~/.bashrc") { shell };
        command.SetAction(parse =>
        {
            context.Out.Write(Script(parse.GetValue(shell)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # ctr completion for bash; load with: source <(ctr completion bash)
            _ctr_complete() {
              local IFS=$'\n'
              local candidates
              candidates=$(ctr "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
              COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _ctr_complete ctr

            """,
        "zsh" => """
            # ctr completion for zsh; load with: source <(ctr completion zsh)
            _ctr_complete() {
              local -a candidates
              candidates=("${(@f)$(ctr "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
              compadd -- "${candidates[@]}"
            }
            compdef _ctr_complete ctr

            """,
        "fish" => """
            # ctr completion for fish; load with: ctr completion fish | source
            function __ctr_complete
                set -l line (commandline -cp)
                ctr "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
            end
            complete -c ctr -f -a '(__ctr_complete)'

            """,
        _ => throw new CtrException(ExitCodes.Usage, $"no completion script for '{shell}'; choose bash, zsh or fish"),
    };
}
