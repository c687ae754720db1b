; tsmedia FAT32 volume boot record. Sector 0 of the partition (the writer fills bytes 3..89 with
; the BPB) plus a second stage in reserved sector STAGE2_SECTOR. The MBR loads sector 0 at
; 0000:7C00 with DL = drive. Sector 0 loads the second stage at 0000:7E00; the second stage walks
; the root directory's cluster chain for BOOTMGR (8.3 name, not a directory or label), loads it
; a cluster per read through the FAT at 2000:0000 and jumps there with DL = drive, as Windows'
; FAT32 boot sector does for bootmgr. All reads are int 13h extension (LBA) reads of 512-byte
; sectors; a bad cluster number, a chain that runs too long or a file too big for real-mode
; memory stops with a message instead of looping.
bits 16
cpu 386

STAGE2_SECTOR   equ 2           ; reserved sector holding the second stage (1 = FSInfo, 6 = backup)
STAGE2_SECTORS  equ 1
LOAD            equ 0x7c00
STAGE2          equ 0x7e00
DIRBUF          equ 0x1000      ; one directory sector
FATBUF          equ 0x1200      ; one FAT sector
BOOTMGR_SEG     equ 0x2000
FAT_MASK        equ 0x0fffffff
FAT_BAD         equ 0x0ffffff7
FAT_EOC         equ 0x0ffffff8
MAX_DIR_CLUSTERS equ 0xffff     ; a root directory chain longer than this is taken as a loop
ATTR_SKIP       equ 0x18        ; volume label (also every LFN entry) or directory

; BPB fields (offsets fixed by the FAT specification)
bpb_spc     equ LOAD + 13       ; sectors per cluster, 1 byte
bpb_rsvd    equ LOAD + 14       ; reserved sectors, 2 bytes
bpb_nfats   equ LOAD + 16       ; number of FATs, 1 byte
bpb_hidden  equ LOAD + 28       ; partition start LBA, 4 bytes
bpb_fatsz   equ LOAD + 36       ; sectors per FAT, 4 bytes
bpb_root    equ LOAD + 44       ; root directory cluster, 4 bytes
bpb_drive   equ LOAD + 64       ; drive number, 1 byte

section s0 start=0 vstart=LOAD
        jmp short boot1
        nop
        times 90-($-$$) db 0            ; OEM name and BPB, written by the image writer

boot1:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, LOAD
        sti
        cld
        mov [bpb_drive], dl
        mov ah, 0x41                    ; int 13h extensions present?
        mov bx, 0x55aa
        int 0x13
        jc .noext
        cmp bx, 0xaa55
        jne .noext
        test cl, 1
        jnz .ext
.noext: mov si, msg_nolba
        jmp fail
.ext:   mov eax, [bpb_hidden]
        add eax, STAGE2_SECTOR
        mov bx, STAGE2
        mov cx, STAGE2_SECTORS
        call read_sectors
        jmp stage2

; reads the sector at LBA EAX into ES:BX; every register is kept
read_sector:
        push cx
        mov cx, 1
        call read_sectors
        pop cx
        ret

; reads CX sectors (at most 127) from LBA EAX into ES:BX; every register is kept
read_sectors:
        pushad
        mov [dap_count], cx
        mov [dap_lba], eax
        mov [dap_off], bx
        mov [dap_seg], es
        mov bp, 3                       ; tries
.try:   mov si, dap
        mov ah, 0x42
        mov dl, [bpb_drive]
        int 0x13
        jnc .ok
        xor ah, ah                      ; reset the drive, then retry
        int 0x13
        dec bp
        jnz .try
        mov si, msg_read
        jmp fail
.ok:    popad
        ret

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

dap:    db 16, 0                        ; packet size, reserved
dap_count dw 1                          ; sectors
dap_off dw 0                            ; buffer offset
dap_seg dw 0                            ; buffer segment
dap_lba dd 0, 0                         ; LBA (64-bit)

msg_nolba db "No LBA BIOS", 0
msg_read  db "Disk error", 0

        times 510-($-$$) db 0
        dw 0xaa55

section s2 start=512 vstart=STAGE2
stage2: int 0x12                        ; conventional memory in KiB (below the EBDA)
        shl ax, 6                       ; -> paragraphs: nothing may be loaded from here on
        mov [limit_seg], ax
        movzx eax, word [bpb_rsvd]
        add eax, [bpb_hidden]
        mov [fat_lba], eax
        movzx cx, byte [bpb_nfats]
.fats:  add eax, [bpb_fatsz]
        loop .fats
        mov [data_lba], eax

        mov eax, [bpb_root]
        mov word [dir_left], MAX_DIR_CLUSTERS
dir_cluster:
        call check_cluster
        dec word [dir_left]
        jz bad_chain
        mov [cur], eax
        call cluster_lba
        movzx cx, byte [bpb_spc]
.sector:
        mov bx, DIRBUF
        call read_sector
        mov di, bx
.entry: cmp byte [di], 0                ; end of directory
        je no_bootmgr
        test byte [di + 11], ATTR_SKIP
        jnz .skip
        push di
        push cx
        mov si, name_bootmgr
        mov cx, 11
        repe cmpsb
        pop cx
        pop di
        je found
.skip:  add di, 32
        cmp di, DIRBUF + 512
        jb .entry
        inc eax
        loop .sector
        mov eax, [cur]
        call next_cluster
        cmp eax, FAT_EOC
        jb dir_cluster
no_bootmgr:
        mov si, msg_nobootmgr
        jmp fail

found:  mov ax, [di + 20]               ; first cluster, high 16 bits
        shl eax, 16
        mov ax, [di + 26]               ; low 16 bits
        mov word [load_seg], BOOTMGR_SEG
file_cluster:                           ; one read per cluster (at most 64 sectors)
        call check_cluster
        mov [cur], eax
        call cluster_lba
        movzx cx, byte [bpb_spc]
        mov bx, cx
        shl bx, 5                       ; paragraphs in a cluster
        add bx, [load_seg]              ; where this cluster would end
        jc too_big
        cmp bx, [limit_seg]
        ja too_big
        xchg bx, [load_seg]             ; load_seg = the end, BX = this cluster's segment
        mov es, bx
        xor bx, bx
        call read_sectors
        mov es, bx
        mov eax, [cur]
        call next_cluster
        cmp eax, FAT_EOC
        jb file_cluster
        mov dl, [bpb_drive]
        jmp BOOTMGR_SEG:0

too_big:
        mov si, msg_toobig
        jmp fail
bad_chain:
        mov si, msg_chain
        jmp fail

; stops unless EAX is a data cluster number (2 .. FAT_BAD-1)
check_cluster:
        cmp eax, 2
        jb bad_chain
        cmp eax, FAT_BAD
        jae bad_chain
        ret

; EAX = cluster -> EAX = LBA of its first sector; ECX, EDX are clobbered
cluster_lba:
        sub eax, 2
        movzx ecx, byte [bpb_spc]
        mul ecx
        add eax, [data_lba]
        ret

; EAX = cluster -> EAX = its FAT entry; one FAT sector is cached
next_cluster:
        push bx
        mov bx, ax
        shr eax, 7                      ; 128 entries per 512-byte sector
        add eax, [fat_lba]
        cmp eax, [fat_cached]
        je .have
        mov [fat_cached], eax
        push bx
        mov bx, FATBUF
        call read_sector
        pop bx
.have:  and bx, 127
        shl bx, 2
        mov eax, [FATBUF + bx]
        and eax, FAT_MASK
        pop bx
        ret

fat_lba     dd 0
data_lba    dd 0
fat_cached  dd 0xffffffff
cur         dd 0
load_seg    dw 0
limit_seg   dw 0
dir_left    dw 0
name_bootmgr db "BOOTMGR    "
msg_nobootmgr db "BOOTMGR is missing", 0
msg_chain   db "Bad FAT chain", 0
msg_toobig  db "BOOTMGR too big", 0

        times 512*STAGE2_SECTORS-($-$$) db 0
