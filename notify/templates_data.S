/* templates_data.S - embeds the message templates of templates/ into the
 * binary, each ended by a NUL byte. Assembled from the repository root,
 * where the paths below resolve. */
	.section .rodata
	.globl br_template_alert_txt
	.globl br_template_alert_html
	.globl br_template_report_txt
	.globl br_template_report_html
br_template_alert_txt:
	.incbin "templates/alert.txt"
	.byte 0
br_template_alert_html:
	.incbin "templates/alert.html"
	.byte 0
br_template_report_txt:
	.incbin "templates/report.txt"
	.byte 0
br_template_report_html:
	.incbin "templates/report.html"
	.byte 0
	.section .note.GNU-stack,"",%progbits
