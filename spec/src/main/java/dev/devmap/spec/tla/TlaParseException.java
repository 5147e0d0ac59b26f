package dev.devmap.spec.tla;

/** A TLC value or state text that does not parse. The message names the position and what was expected. */
public final class TlaParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    public TlaParseException(String message, int offset) {
        super(message);
        this.offset = offset;
    }

    /** Offset (0-based, in chars) into the parsed text where the problem was found. */
    public int offset() {
        return offset;
    }

    static TlaParseException at(CharSequence text, int offset, String problem) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        int from = Math.max(0, offset - 20);
        int to = Math.min(text.length(), offset + 20);
        String excerpt = text.subSequence(from, to).toString().replace("\n", "\\n");
        String marker = (from > 0 ? "..." : "") + excerpt + (to < text.length() ? "..." : "");
        return new TlaParseException(problem + " at line " + line + ", column " + col
                + " (offset " + offset + ") near '" + marker + "'", offset);
    }
}
