# Turns a vector file (lines "<algo> <hash hex> <input hex> [height]", '#' comments)
# into a C table of pow_vector_t. Used by the build; the output is not edited by hand.
BEGIN {
    print "/* Generated from " ARGV[1] " by scripts/vectors-to-c.awk: do not edit. */"
    print "#include \"pow/vectors.h\""
    print ""
    print "const pow_vector_t " name "[] = {"
}
/^#/ || NF == 0 { next }
NF < 3 || NF > 4 { printf "%s:%d: expected 3 or 4 fields\n", FILENAME, FNR > "/dev/stderr"; bad = 1; exit 1 }
{
    # The optional fourth field is a block height (a number) or key=<hex>.
    height = 0
    key = ""
    if (NF == 4 && $4 ~ /^key=/)
        key = substr($4, 5)
    else if (NF == 4)
        height = $4
    printf "    {\"%s\", \"%s\", \"%s\", %sull, \"%s\", %d},\n", $1, $2, $3, height, key, FNR
    count++
}
END {
    if (bad) exit 1
    print "};"
    print ""
    print "const unsigned " name "_count = " count ";"
}
