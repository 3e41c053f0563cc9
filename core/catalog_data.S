/* catalog_data.S - embeds the generated price data (data/catalog.csv and
 * data/aliases.csv, see docs/PRICES.md) into the binary, with their sizes.
 * Assembled from the repository root, where the paths below resolve. */
	.section .rodata
	.globl br_builtin_catalog_csv
	.globl br_builtin_catalog_csv_size
	.globl br_builtin_aliases_csv
	.globl br_builtin_aliases_csv_size
	.balign 8
br_builtin_catalog_csv_size:
	.quad catalog_end - br_builtin_catalog_csv
br_builtin_aliases_csv_size:
	.quad aliases_end - br_builtin_aliases_csv
br_builtin_catalog_csv:
	.incbin "data/catalog.csv"
catalog_end:
	.byte 0
br_builtin_aliases_csv:
	.incbin "data/aliases.csv"
aliases_end:
	.byte 0
	.section .note.GNU-stack,"",%progbits
