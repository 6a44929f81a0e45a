import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { IdentifierPipe } from '../http/identifier.pipe';
import { sendJsonView } from '../http/send-json-view';
import { NETWORK_ID } from '../identifiers';
import { NetworkDirectory } from './network-directory.service';

@ApiTags('service-networks')
@Controller('service-networks')
export class NetworksController {
  constructor(private readonly directory: NetworkDirectory) {}

  @Get()
  @ApiOperation({ summary: 'Active service networks with their members' })
  async list(@Req() request: Request, @Res() response: Response): Promise<void> {
    await sendJsonView(request, response, await this.directory.list());
  }

  @Get(':id')
  @ApiOperation({ summary: 'One active service network with its members' })
  async get(@Param('id', new IdentifierPipe(NETWORK_ID)) id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await sendJsonView(request, response, await this.directory.get(id));
  }
}
