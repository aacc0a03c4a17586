/*
 * http/dashboard.html as a NUL-terminated string in read-only data, so the
 * page ships inside the binary and is edited as the HTML it is. The
 * assembler finds the file through -I (libhttp_a_CCASFLAGS).
 */
    .section .rodata
    .globl http_dashboard_html
    .type http_dashboard_html, %object
http_dashboard_html:
    .incbin "dashboard.html"
    .byte 0
    .size http_dashboard_html, . - http_dashboard_html
    .section .note.GNU-stack, "", %progbits
