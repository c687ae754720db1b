; tsmedia master boot record (440 bytes of code; the writer adds the disk signature and the
; partition table). The BIOS loads it at 0000:7C00 with DL = boot drive. It moves itself to
; 0000:0600 so the volume boot record can be loaded at 7C00, finds the active partition, reads
; its first sector with int 13h extensions (LBA; no CHS: every USB-era BIOS has them), checks
; the 55AA signature and jumps to it with DL = drive and DS:SI -> the partition entry, as the
; usual MBR hand-off does.
bits 16
cpu 386
org 0x0600

RELOC       equ 0x0600
LOAD        equ 0x7c00
PART_TABLE  equ RELOC + 446     ; four 16-byte entries
PART_ENTRY  equ 16
PE_STATUS   equ 0               ; 0x80 = active
PE_LBA      equ 8               ; start LBA, 4 bytes

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, LOAD
        mov ds, ax
        mov es, ax
        sti
        cld
        mov si, LOAD                    ; move our 512 bytes out of the way of the VBR
        mov di, RELOC
        mov cx, 256
        rep movsw
        jmp 0:relocated

relocated:
        mov [drive], dl
        mov si, PART_TABLE
        mov cx, 4
.scan:  test byte [si + PE_STATUS], 0x80
        jnz found
        add si, PART_ENTRY
        loop .scan
        mov si, msg_noactive
        jmp fail

found:
        mov [entry], si
        mov ah, 0x41                    ; int 13h extensions present?
        mov bx, 0x55aa
        mov dl, [drive]
        int 0x13
        jc .noext
        cmp bx, 0xaa55
        jne .noext
        test cl, 1                      ; packet (LBA) access supported
        jnz .read
.noext: mov si, msg_nolba
        jmp fail
.read:  mov si, [entry]
        mov eax, [si + PE_LBA]
        mov [dap_lba], eax
        mov bp, 3                       ; tries
.again: mov si, dap
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        jnc .loaded
        xor ah, ah                      ; reset the drive, then retry
        mov dl, [drive]
        int 0x13
        dec bp
        jnz .again
        mov si, msg_read
        jmp fail
.loaded:
        cmp word [LOAD + 510], 0xaa55
        je .go
        mov si, msg_novbr
        jmp fail
.go:    mov si, [entry]
        mov dl, [drive]
        jmp 0:LOAD

; prints the zero-terminated message at SI and stops
fail:   lodsb
        test al, al
        jz .halt
        mov ah, 0x0e
        mov bx, 7
        int 0x10
        jmp fail
.halt:  hlt
        jmp .halt

drive   db 0
entry   dw 0
dap:    db 16, 0                        ; packet size, reserved
        dw 1                            ; sectors
        dw LOAD, 0                      ; buffer offset, segment
dap_lba dd 0, 0                         ; LBA (64-bit)

msg_noactive db "No active partition", 0
msg_nolba    db "No LBA BIOS", 0
msg_read     db "Disk read error", 0
msg_novbr    db "Missing boot sector", 0

        times 440-($-$$) db 0           ; the disk signature and partition table follow
