using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// The text a terminal of a fixed size shows, from the bytes a program writes to it: enough of a VT100 for full-screen
/// programs that place text with cursor moves (Claude Code's renderer writes the space between two words as a jump to a
/// column, so stripping escapes from the stream glues them). Colours, modes and titles are read and ignored; a character
/// takes one cell. Not thread-safe: its owner feeds it under a lock.
/// </summary>
public sealed class TerminalScreen(int rows, int columns)
{
    private readonly char[][] _cells = [.. Enumerable.Range(0, rows).Select(_ => Blank(columns))];
    private int _row;
    private int _column;
    private State _state;
    private readonly StringBuilder _sequence = new();

    private enum State { Text, Escape, Csi, Osc, OscEscape, Charset }

    /// <summary>The screen's rows, trailing blanks trimmed, one line each.</summary>
    public string Text => string.Join('\n', _cells.Select(r => new string(r).TrimEnd()));

    public void Write(string text)
    {
        foreach (var c in text)
        {
            Put(c);
        }
    }

    private void Put(char c)
    {
        switch (_state)
        {
            case State.Escape:
                _state = c switch
                {
                    '[' => State.Csi,
                    ']' => State.Osc,
                    '(' or ')' or '#' => State.Charset,
                    _ => State.Text, // ESC 7, ESC 8, ESC =, …: nothing that moves text here
                };
                _sequence.Clear();
                return;
            case State.Charset:
                _state = State.Text;
                return;
            case State.Osc:
                _state = c == '\a' ? State.Text : c == '\x1b' ? State.OscEscape : State.Osc;
                return;
            case State.OscEscape:
                _state = State.Text; // ESC \ ends a title
                return;
            case State.Csi:
                if (c is >= '@' and <= '~')
                {
                    Csi(c, _sequence.ToString());
                    _state = State.Text;
                }
                else
                {
                    _sequence.Append(c);
                }

                return;
        }

        switch (c)
        {
            case '\x1b':
                _state = State.Escape;
                break;
            case '\r':
                _column = 0;
                break;
            case '\n':
                LineFeed();
                break;
            case '\b':
                _column = Math.Max(0, _column - 1);
                break;
            case '\t':
                _column = Math.Min(columns - 1, (_column / 8 + 1) * 8);
                break;
            case < ' ':
                break;
            default:
                if (_column >= columns)
                {
                    _column = 0;
                    LineFeed();
                }

                _cells[_row][_column++] = c;
                break;
        }
    }

    private void Csi(char final, string parameters)
    {
        var args = parameters.TrimStart('?', '>', '<', '=').Split(';');
        int Arg(int i, int fallback) => i < args.Length && int.TryParse(args[i], out var v) && v > 0 ? v : fallback;
        switch (final)
        {
            case 'A': _row = Math.Max(0, _row - Arg(0, 1)); break;
            case 'B': _row = Math.Min(rows - 1, _row + Arg(0, 1)); break;
            case 'C': _column = Math.Min(columns - 1, _column + Arg(0, 1)); break;
            case 'D': _column = Math.Max(0, _column - Arg(0, 1)); break;
            case 'E': _row = Math.Min(rows - 1, _row + Arg(0, 1)); _column = 0; break;
            case 'F': _row = Math.Max(0, _row - Arg(0, 1)); _column = 0; break;
            case 'G': _column = Math.Min(columns - 1, Arg(0, 1) - 1); break;
            case 'H' or 'f':
                _row = Math.Min(rows - 1, Arg(0, 1) - 1);
                _column = Math.Min(columns - 1, Arg(1, 1) - 1);
                break;
            case 'J': EraseDisplay(args[0] is "" ? 0 : Arg(0, 0)); break;
            case 'K': EraseLine(args[0] is "" ? 0 : Arg(0, 0)); break;
        }
    }

    private void EraseLine(int mode)
    {
        var (from, to) = mode switch { 1 => (0, _column + 1), 2 => (0, columns), _ => (_column, columns) };
        Array.Fill(_cells[_row], ' ', from, Math.Min(columns, to) - from);
    }

    private void EraseDisplay(int mode)
    {
        EraseLine(mode == 2 || mode == 3 ? 2 : mode);
        var (from, to) = mode switch { 1 => (0, _row), 0 => (_row + 1, rows), _ => (0, rows) };
        for (var r = from; r < to; r++)
        {
            Array.Fill(_cells[r], ' ');
        }
    }

    private void LineFeed()
    {
        if (_row < rows - 1)
        {
            _row++;
            return;
        }

        Array.Copy(_cells, 1, _cells, 0, rows - 1); // scroll up one line
        _cells[rows - 1] = Blank(columns);
    }

    private static char[] Blank(int columns) => [.. Enumerable.Repeat(' ', columns)];
}
