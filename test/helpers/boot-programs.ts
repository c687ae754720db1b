// Test boot programs, assembled with nasm from the sources below (no Microsoft or GPL boot code):
//   biosElToritoImage  2 KiB El Torito no-emulation image: prints BIOS_MARKER and its Boot Info
//                      Table to COM1, then writes 0x10 to isa-debug-exit (qemu exits with 33).
//   uefiApp            a tiny PE32+ EFI application: prints UEFI_MARKER on ConOut, then shuts down
//                      (qemu exits with 0). OVMF mirrors ConOut to the serial port.
//   fakeBootmgr        a stand-in for Windows' \bootmgr, loaded at 2000:0000 by a FAT32 VBR:
//                      prints BOOTMGR_MARKER, writes 0x11 to isa-debug-exit (qemu exits with 35).
import { assemble } from './nasm.js';

export const BIOS_MARKER = 'TSMEDIA BIOS ELTORITO BOOT OK';
export const UEFI_MARKER = 'TSMEDIA UEFI BOOT OK';
export const BOOTMGR_MARKER = 'TSMEDIA BIOS BOOTMGR OK';
/** qemu's exit status when a program writes v to isa-debug-exit is (v << 1) | 1. */
export const BIOS_EXIT = 33;
export const BOOTMGR_EXIT = 35;

const SERIAL_ROUTINES = `
serial_init:
        mov dx, 0x3f9
        xor al, al
        out dx, al
        mov dx, 0x3fb
        mov al, 0x80
        out dx, al
        mov dx, 0x3f8
        mov al, 1
        out dx, al
        mov dx, 0x3f9
        xor al, al
        out dx, al
        mov dx, 0x3fb
        mov al, 3
        out dx, al
        ret
puts:   lodsb
        test al, al
        jz .r
        call putc
        jmp puts
.r:     ret
putc:   push dx
        push ax
        mov dx, 0x3fd
.w:     in al, dx
        test al, 0x20
        jz .w
        pop ax
        mov dx, 0x3f8
        out dx, al
        pop dx
        ret
puthex32:
        push eax
        shr eax, 16
        call puthex16
        pop eax
puthex16:
        push ax
        mov al, ah
        call puthex8
        pop ax
puthex8:
        push ax
        shr al, 4
        call nib
        pop ax
nib:    and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 7
.o:     jmp putc
`;

const BIOS_SOURCE = `
bits 16
org 0x7c00
start:  jmp short main
        nop
        times 8-($-$$) db 0
bi_pvd  dd 0            ; Boot Info Table: LBA of the PVD
bi_file dd 0            ;   LBA of this image
bi_len  dd 0            ;   its length in bytes
bi_csum dd 0            ;   checksum
        times 64-($-$$) db 0
main:   jmp 0:real
real:   cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov [drive], dl
        call serial_init
        mov si, msg
        call puts
        mov si, m_drv
        call puts
        mov al, [drive]
        call puthex8
        mov si, m_pvd
        call puts
        mov eax, [bi_pvd]
        call puthex32
        mov si, m_file
        call puts
        mov eax, [bi_file]
        call puthex32
        mov si, crlf
        call puts
        mov dx, 0xf4
        mov al, 0x10
        out dx, al
halt:   hlt
        jmp halt
${SERIAL_ROUTINES}
drive   db 0
msg     db "${BIOS_MARKER}", 0
m_drv   db " drive=", 0
m_pvd   db " bi_pvd=", 0
m_file  db " bi_file=", 0
crlf    db 13, 10, 0
        times 2048-($-$$) db 0
`;

const UEFI_SOURCE = `
bits 64
section .hdr start=0 vstart=0
        db 'MZ'
        times 0x3c-($-$$) db 0
        dd pe
pe:     db 'PE', 0, 0
        dw 0x8664                       ; Machine: x86-64
        dw 1                            ; NumberOfSections
        dd 0, 0, 0
        dw opt_end - opt                ; SizeOfOptionalHeader
        dw 0x0022                       ; EXECUTABLE_IMAGE|LARGE_ADDRESS_AWARE (RIP-relative code, no relocs)
opt:    dw 0x20b                        ; PE32+
        db 1, 0
        dd 0x200, 0, 0
        dd efi_main                     ; AddressOfEntryPoint
        dd 0x1000                       ; BaseOfCode
        dq 0x400000                     ; ImageBase
        dd 0x1000, 0x200                ; SectionAlignment, FileAlignment
        dw 0, 0, 0, 0, 0, 0
        dd 0
        dd 0x2000                       ; SizeOfImage
        dd 0x200                        ; SizeOfHeaders
        dd 0                            ; CheckSum
        dw 10                           ; Subsystem: EFI application
        dw 0
        dq 0x10000, 0x10000, 0x10000, 0
        dd 0
        dd 16                           ; NumberOfRvaAndSizes
        times 16 dq 0
opt_end:
        db '.text', 0, 0, 0
        dd 0x1000, 0x1000               ; VirtualSize, VirtualAddress
        dd 0x200, 0x200                 ; SizeOfRawData, PointerToRawData
        dd 0, 0
        dw 0, 0
        dd 0x60000020                   ; CODE|EXECUTE|READ
        times 0x200-($-$$) db 0
section .text start=0x200 vstart=0x1000
efi_main:
        sub rsp, 40
        mov rbx, rdx                    ; EFI_SYSTEM_TABLE*
        mov rcx, [rbx+64]               ; ->ConOut
        lea rdx, [rel msg]
        call [rcx+8]                    ; ConOut->OutputString
        mov rax, [rbx+88]               ; ->RuntimeServices
        mov ecx, 2                      ; EfiResetShutdown
        xor edx, edx
        xor r8d, r8d
        xor r9d, r9d
        call [rax+104]                  ; ->ResetSystem
.hang:  hlt
        jmp .hang
msg:    dw __utf16__('${UEFI_MARKER}'), 13, 10, 0
        times 0x200-($-$$) db 0
`;

const BOOTMGR_SOURCE = `
bits 16
org 0
        mov ax, cs
        mov ds, ax
        mov [drive], dl
        call serial_init
        mov si, msg
        call puts
        mov al, [drive]
        call puthex8
        mov si, crlf
        call puts
        mov dx, 0xf4
        mov al, 0x11
        out dx, al
h:      hlt
        jmp h
${SERIAL_ROUTINES}
drive   db 0
msg     db "${BOOTMGR_MARKER} drive=", 0
crlf    db 13, 10, 0
`;

let cache: Promise<{ biosElToritoImage: Buffer; uefiApp: Buffer; fakeBootmgr: Buffer }> | undefined;

/** Assembles the three programs once per test process. */
export function bootPrograms(): Promise<{ biosElToritoImage: Buffer; uefiApp: Buffer; fakeBootmgr: Buffer }> {
  cache ??= (async () => ({
    biosElToritoImage: await assemble(BIOS_SOURCE),
    uefiApp: await assemble(UEFI_SOURCE),
    fakeBootmgr: await assemble(BOOTMGR_SOURCE),
  }))();
  return cache;
}
