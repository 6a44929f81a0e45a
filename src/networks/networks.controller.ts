import { BadRequestException, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { sendJsonView } from '../http/send-json-view';
import { NetworkDirectory } from './network-directory.service';

const NETWORK_ID_PATTERN = /^[A-Za-z0-9._-]{1,200}$/;

@ApiTags('service-networks')
@Controller('service-networks')
export class NetworksController {
  constructor(private readonly directory: NetworkDirectory) {}

  @Get()
  @ApiOperation({ summary: 'Active service networks with their members' })
  async list(@Req() request: Request, @Res() response: Response): Promise<void> {
    sendJsonView(request, response, await this.directory.list());
  }

  @Get(':id')
  @ApiOperation({ summary: 'One active service network with its members' })
  async get(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (!NETWORK_ID_PATTERN.test(id)) {
      throw new BadRequestException('network id must be 1-200 letters, digits, ".", "_" or "-"');
    }
    sendJsonView(request, response, await this.directory.get(id));
  }
}
